using Chas.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Chas.Cli;

/// <summary>What every long-running `chas` process shares: one-line console logs, and defaults derived from the machine.</summary>
internal static class HostDefaults
{
    public static void ConfigureLogging(WebApplicationBuilder builder, LogLevel level)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
            o.IncludeScopes = false;
        });
        builder.Logging.SetMinimumLevel(level);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        // Data protection is pulled in by authentication but holds no secrets of ours; its key warning is noise.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
    }

    /// <summary>The machine's name as a valid node name ("dev" if it cannot be made one).</summary>
    public static string NodeName()
    {
        var name = new string(Environment.MachineName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        if (name.Length > 63) name = name[..63].Trim('-');
        return Validate.IsDns1123Label(name) ? name : "dev";
    }

    public static string DefaultDataDir(string leaf)
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share") : xdg;
        return Path.Combine(root, "chas", leaf);
    }

    public static PortRange ParsePortRange(string text)
    {
        var parts = text.Split('-');
        if (parts.Length == 2 && int.TryParse(parts[0], out var lo) && int.TryParse(parts[1], out var hi) && lo >= 1 && hi <= 65535 && lo <= hi)
            return new PortRange(lo, hi);
        throw new CliException($"--port-range: '{text}' is not LO-HI (e.g. 20000-29999)");
    }

    public static Dictionary<string, string> ParseLabels(IEnumerable<string> pairs)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new CliException($"--label: '{pair}' is not key=value");
            labels[pair[..eq]] = pair[(eq + 1)..];
        }
        return labels;
    }
}
