using System.Globalization;

namespace Chas.Cli;

/// <summary>Go-style durations as people type them on command lines: 500ms, 6s, 5m, 1h.</summary>
internal static class Durations
{
    public static readonly TimeSpan Longest = TimeSpan.FromDays(3650);

    public static bool TryParse(string? text, out TimeSpan value) => TryParse(text, out value, out _);

    private static bool TryParse(string? text, out TimeSpan value, out bool tooLong)
    {
        value = default;
        tooLong = false;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        (string Suffix, double Ms)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];
        foreach (var (suffix, ms) in units)
        {
            if (!s.EndsWith(suffix, StringComparison.Ordinal)) continue;
            var number = s[..^suffix.Length];
            // At most ten years: any longer is a typo, and overflows the clocks (--since) and timers it feeds.
            if (double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n >= 0)
            {
                tooLong = n * ms > Longest.TotalMilliseconds;
                if (tooLong) return false;
                value = TimeSpan.FromMilliseconds(n * ms);
                return true;
            }
            return false;
        }
        return false;
    }

    /// <summary>A timer can wait at most about 49 days; a longer wait is as good as none.</summary>
    public static TimeSpan ForTimer(TimeSpan wait) => wait.TotalMilliseconds < uint.MaxValue - 1 ? wait : Timeout.InfiniteTimeSpan;

    public static TimeSpan Parse(string text, string option) =>
        TryParse(text, out var value, out var tooLong) ? value
        : throw new CliException(tooLong ? $"{option}: '{text}' is longer than {Longest.TotalDays:0}d" : $"{option}: '{text}' is not a duration (use e.g. 500ms, 6s, 5m)");

    /// <summary>"3s", "5m", "2h", "4d": the way docker ps shows ages.</summary>
    public static string Humanize(TimeSpan span) => span.TotalSeconds switch
    {
        < 0 => "0s",
        < 60 => $"{(int)span.TotalSeconds}s",
        < 3600 => $"{(int)span.TotalMinutes}m",
        < 86400 => $"{(int)span.TotalHours}h",
        _ => $"{(int)span.TotalDays}d",
    };
}
