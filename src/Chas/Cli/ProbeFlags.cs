using System.Globalization;
using System.Text;
using Chas.Contracts;

namespace Chas.Cli;

/// <summary>
/// The short probe form of `--readiness` / `--liveness` (and of a probe written as a string in a
/// manifest): `http:PORT[/PATH]`, `tcp:PORT` or `exec:COMMAND ARGS…`. The exec command is split on
/// spaces; single or double quotes keep a part together (`exec:sh -c 'test -f /tmp/ready'`).
/// Timeout and thresholds keep the <see cref="ProbeSpec"/> defaults; only the period can be set.
/// </summary>
internal static class ProbeFlags
{
    public const string Forms = "http:PORT/PATH, tcp:PORT or exec:COMMAND";

    public static ProbeSpec? Parse(string? text, string option, TimeSpan? period = null)
    {
        if (text is null) return null;
        var colon = text.IndexOf(':');
        var kind = colon < 0 ? text.Trim() : text[..colon].Trim().ToLowerInvariant();
        var rest = colon < 0 ? "" : text[(colon + 1)..];
        var probe = kind switch
        {
            "http" => Http(rest),
            "tcp" => Port(rest) is { } port ? new ProbeSpec { Type = ProbeType.Tcp, Port = port } : null,
            "exec" => SplitCommand(rest) is { Count: > 0 } command ? new ProbeSpec { Type = ProbeType.Exec, Command = command } : null,
            _ => null,
        };
        if (probe is null) throw new CliException($"{option}: '{text}' is not a probe (use {Forms})");
        return period is { } p ? probe with { PeriodSeconds = p.TotalSeconds } : probe;
    }

    /// <summary>Splits on whitespace; quotes group, and are removed. Null if a quote is left open.</summary>
    public static List<string>? SplitCommand(string text)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        var inPart = false;
        char? quote = null;
        foreach (var c in text)
        {
            if (quote is { } q)
            {
                if (c == q) quote = null;
                else current.Append(c);
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inPart = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inPart) parts.Add(current.ToString());
                current.Clear();
                inPart = false;
            }
            else
            {
                current.Append(c);
                inPart = true;
            }
        }
        if (quote is not null) return null;
        if (inPart) parts.Add(current.ToString());
        return parts;
    }

    private static ProbeSpec? Http(string rest)
    {
        var slash = rest.IndexOf('/');
        var port = Port(slash < 0 ? rest : rest[..slash]);
        if (port is null) return null;
        return new ProbeSpec { Type = ProbeType.Http, Port = port, Path = slash < 0 ? null : rest[slash..] };
    }

    private static int? Port(string text) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535 ? port : null;
}
