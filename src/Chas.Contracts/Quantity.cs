using System.Globalization;

namespace Chas.Contracts;

/// <summary>Parses the quantities people type: `0.5` or `500m` CPUs, `256Mi`, `1Gi`, `512M` or `1048576` bytes.</summary>
public static class Quantity
{
    private static readonly (string Suffix, long Factor)[] MemorySuffixes =
    [
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40),
        ("k", 1000L), ("K", 1000L), ("M", 1000L * 1000), ("G", 1000L * 1000 * 1000), ("T", 1000L * 1000 * 1000 * 1000),
        ("B", 1L), ("b", 1L),
    ];

    public static bool TryParseMemory(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        long factor = 1;
        foreach (var (suffix, f) in MemorySuffixes)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                factor = f;
                s = s[..^suffix.Length];
                break;
            }
        }
        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)) return false;
        if (value < 0) return false;
        var total = value * factor;
        if (total > long.MaxValue) return false;
        bytes = (long)decimal.Round(total);
        return true;
    }

    /// <summary>`0.5` (cores) or `500m` (millicores) → 500.</summary>
    public static bool TryParseCpuMillis(string? text, out long millis)
    {
        millis = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        var isMillis = s.EndsWith('m');
        if (isMillis) s = s[..^1];
        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)) return false;
        if (value < 0 || value > 1_000_000) return false;
        millis = (long)decimal.Round(isMillis ? value : value * 1000);
        return true;
    }

    public static string FormatMemory(long bytes)
    {
        if (bytes <= 0) return "0";
        if (bytes % (1L << 30) == 0) return $"{bytes >> 30}Gi";
        if (bytes % (1L << 20) == 0) return $"{bytes >> 20}Mi";
        if (bytes >= 1L << 30) return $"{bytes / (double)(1L << 30):0.#}Gi";
        if (bytes >= 1L << 20) return $"{bytes / (double)(1L << 20):0.#}Mi";
        if (bytes % 1024 == 0) return $"{bytes >> 10}Ki";
        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    public static string FormatCpu(long millis) =>
        millis % 1000 == 0 ? (millis / 1000).ToString(CultureInfo.InvariantCulture) : $"{millis}m";

    /// <summary>`[HOSTPORT:]CONTAINERPORT[/tcp|udp]` as docker's -p.</summary>
    public static bool TryParsePort(string? text, out PortMapping mapping)
    {
        mapping = new PortMapping();
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        var protocol = "tcp";
        var slash = s.IndexOf('/');
        if (slash >= 0)
        {
            protocol = s[(slash + 1)..].ToLowerInvariant();
            s = s[..slash];
        }
        var parts = s.Split(':');
        if (parts.Length > 2) return false;
        if (!int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var containerPort)) return false;
        int? hostPort = null;
        if (parts.Length == 2)
        {
            if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hp)) return false;
            hostPort = hp;
        }
        mapping = new PortMapping { ContainerPort = containerPort, HostPort = hostPort, Protocol = protocol };
        return true;
    }
}
