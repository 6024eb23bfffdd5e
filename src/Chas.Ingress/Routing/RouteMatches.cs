namespace Chas.Ingress.Routing;

/// <summary>
/// Turns the hosts and path prefixes of an <see cref="Contracts.IngressSpec"/> into YARP match values,
/// refusing what would make the whole route table invalid (one bad host must not stop every update).
/// </summary>
internal static class RouteMatches
{
    public const string AnyHost = "*";

    /// <summary>A DNS name, optionally starting with "*." (any subdomain), or "*" (every host).</summary>
    public static bool IsValidHost(string host)
    {
        if (host == AnyHost) return true;
        var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        if (name.Length is 0 or > 253) return false;
        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        }
        return true;
    }

    /// <summary>"/api//v1/" → "/api/v1"; null when a segment holds characters a route template cannot take literally.</summary>
    public static string? NormalizePrefix(string path)
    {
        if (!path.StartsWith('/')) return null;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => !s.All(IsLiteralPathChar) || s is "." or "..")) return null;
        return "/" + string.Join('/', segments).ToLowerInvariant();
    }

    /// <summary>The prefix and everything below it (the prefix itself included).</summary>
    public static string PathPattern(string prefix) => prefix == "/" ? "/{**rest}" : prefix + "/{**rest}";

    private static bool IsLiteralPathChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '+' or ',' or ';' or '=' or ':' or '@';
}
