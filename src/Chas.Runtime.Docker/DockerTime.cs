using System.Globalization;

namespace Chas.Runtime.Docker;

/// <summary>Docker's time formats: RFC3339Nano in inspect and log output, unix seconds in query parameters.</summary>
internal static class DockerTime
{
    // .NET parses at most 7 fractional digits (100 ns ticks); Docker writes up to 9 and drops trailing zeros.
    private const int MaxFractionDigits = 7;
    private static readonly string[] Formats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    /// <summary>Parses "2024-05-07T12:34:56.123456789Z" (or with an offset instead of Z).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        var dot = text.IndexOf('.');
        if (dot >= 0)
        {
            var digits = 0;
            while (dot + 1 + digits < text.Length && char.IsAsciiDigit(text[dot + 1 + digits]))
            {
                digits++;
            }

            if (digits > MaxFractionDigits)
            {
                // Drop the nanosecond digits .NET cannot represent, keep the zone that follows them.
                text = string.Concat(text[..(dot + 1 + MaxFractionDigits)], text[(dot + 1 + digits)..]);
            }
        }

        return DateTimeOffset.TryParseExact(
            text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    /// <summary>Inspect times; Docker's zero time ("0001-01-01T00:00:00Z", never started or never finished) is null.</summary>
    public static DateTimeOffset? ParseOptional(string? text) =>
        !string.IsNullOrEmpty(text) && TryParse(text, out var value) && value.Year > 1 ? value : null;

    /// <summary>"seconds.nanoseconds" since the epoch, the form the logs endpoint's <c>since</c> accepts.</summary>
    public static string ToUnixSeconds(DateTimeOffset value)
    {
        var ticks = Math.Max(0, (value - DateTimeOffset.UnixEpoch).Ticks);
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var nanoseconds = ticks % TimeSpan.TicksPerSecond * 100;
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{nanoseconds:D9}");
    }
}
