using System.CommandLine;
using System.Globalization;
using Chas.Cli;

namespace Chas.Commands;

/// <summary>`chas audit`: who changed what, from the server's audit log (admin).</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var user = new Option<string?>("--user") { Description = "Only this user's requests" };
        var since = new Option<string?>("--since") { Description = "Only requests after this: a duration back from now (1h, 7d) or a time (2025-01-31T12:00:00Z)" };
        var limit = new Option<int?>("--limit") { Description = "At most this many entries" };
        var output = OutputFormat.CreateOption();
        var cmd = new Command("audit", "Show the audit log: every request that changed something (admin)") { user, since, limit, output };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            if (parse.GetValue(limit) is < 1) throw new CliException($"--limit: must be 1 or more, not {parse.GetValue(limit)}");
            var from = parse.GetValue(since) is { } s ? Since(s, TimeProvider.System) : (DateTimeOffset?)null;
            var entries = await client.ListAuditAsync(parse.GetValue(user), from, parse.GetValue(limit), token);
            if (OutputFormat.IsStructured(parse.GetValue(output)))
            {
                OutputFormat.Write(parse.GetValue(output), entries);
                return 0;
            }
            TableWriter.Write(Console.Out, ["TIME", "USER", "METHOD", "PATH", "STATUS"], entries.Select(e => (IReadOnlyList<string>)
                [TokenCommands.Timestamp(e.Time), e.User, e.Method, e.Path, e.Status.ToString(CultureInfo.InvariantCulture)]));
            return 0;
        }, ct));
        return cmd;
    }

    /// <summary>"1h" is an hour before now; anything else must be an ISO 8601 time (UTC unless it says otherwise).</summary>
    internal static DateTimeOffset Since(string text, TimeProvider clock)
    {
        if (Durations.TryParse(text, out var back)) return clock.GetUtcNow() - back;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)) return at;
        throw new CliException($"--since: '{text}' is neither a duration (1h, 7d) nor a time (2025-01-31T12:00:00Z)");
    }
}
