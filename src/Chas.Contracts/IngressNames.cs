namespace Chas.Contracts;

/// <summary>
/// The host names and path prefixes the ingress can route. The server refuses others when a deployment is applied,
/// with the same rules the ingress applies, so a path is never accepted and then silently not served.
/// </summary>
public static class IngressNames
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
        if (!path.StartsWith('/') || path.Length > 1024) return null;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => !s.All(IsLiteralPathChar) || s is "." or "..")) return null;
        return "/" + string.Join('/', segments).ToLowerInvariant();
    }

    private static bool IsLiteralPathChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '+' or ',' or ';' or '=' or ':' or '@';
}
