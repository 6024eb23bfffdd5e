using System.Globalization;
using Chas.Contracts;

namespace Chas.Dashboard.Components.Shared;

/// <summary>Numbers as people read them: 1.5 cores, 512 MiB, 3m ago.</summary>
public static class Format
{
    public static string Cpu(long millis) => millis % 1000 == 0
        ? (millis / 1000).ToString(CultureInfo.InvariantCulture)
        : (millis / 1000.0).ToString("0.##", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString(unit == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    public static string Percent(double fraction) => (fraction * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    public static string Ago(DateTimeOffset? when, DateTimeOffset now)
    {
        if (when is null || when.Value == default) return "";
        var age = now - when.Value;
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        return age.TotalSeconds < 60 ? $"{(int)age.TotalSeconds}s ago"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes}m ago"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h ago"
            : $"{(int)age.TotalDays}d ago";
    }

    /// <summary>CSS class for a status badge.</summary>
    public static string Tone(TaskPhase phase) => phase switch
    {
        TaskPhase.Running or TaskPhase.Completed => "ok",
        TaskPhase.Failed or TaskPhase.Lost => "bad",
        TaskPhase.Stopped => "off",
        _ => "wait",
    };

    public static string Tone(NodeResource node) =>
        node.Status != NodeStatus.Ready ? "bad" : node.Draining || node.Unschedulable ? "wait" : "ok";

    public static string NodeState(NodeResource node) =>
        node.Status.ToWire() + (node.Draining ? ", draining" : node.Unschedulable ? ", cordoned" : "");

    public static string Invariant(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);
}
