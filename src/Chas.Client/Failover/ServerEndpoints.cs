using System.Collections;

namespace Chas.Client.Failover;

/// <summary>
/// The API servers of one cluster (several `chas server` processes on one database), in the order they are
/// tried: "http://a:8080,http://b:8080" on the command line and in the CLI's configuration. Every address
/// ends with '/', so relative paths resolve below it.
/// </summary>
public sealed class ServerEndpoints : IReadOnlyList<Uri>
{
    private readonly Uri[] _servers;

    public ServerEndpoints(IEnumerable<Uri> servers)
    {
        _servers = [.. servers.Select(Normalize).Distinct()];
        if (_servers.Length == 0) throw new ArgumentException("at least one server URL is needed", nameof(servers));
    }

    /// <summary>The first server: where a client starts.</summary>
    public Uri Primary => _servers[0];

    public int Count => _servers.Length;
    public Uri this[int index] => _servers[index];

    /// <summary>Parses a comma-separated list of http(s) URLs; throws <see cref="FormatException"/> naming the bad one.</summary>
    public static ServerEndpoints Parse(string text) =>
        TryParse(text, out var servers, out var error) ? servers : throw new FormatException(error);

    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ServerEndpoints? servers, out string? error)
    {
        servers = null;
        var parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            error = "no server URL given (use http://HOST:PORT, several separated by commas)";
            return false;
        }
        var uris = new List<Uri>(parts.Length);
        foreach (var part in parts)
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                error = $"'{part}' is not a valid server URL (use http://HOST:PORT or https://HOST:PORT)";
                return false;
            }
            uris.Add(uri);
        }
        servers = new ServerEndpoints(uris);
        error = null;
        return true;
    }

    /// <summary>The index of the server <paramref name="address"/> lies below, or -1.</summary>
    public int IndexOf(Uri address)
    {
        for (var i = 0; i < _servers.Length; i++)
            if (_servers[i].IsBaseOf(address) && string.Equals(_servers[i].Authority, address.Authority, StringComparison.OrdinalIgnoreCase))
                return i;
        return -1;
    }

    /// <summary>The comma-separated form <see cref="Parse"/> reads, without trailing slashes.</summary>
    public override string ToString() => string.Join(",", _servers.Select(s => s.ToString().TrimEnd('/')));

    public IEnumerator<Uri> GetEnumerator() => ((IEnumerable<Uri>)_servers).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static Uri Normalize(Uri server)
    {
        if (!server.IsAbsoluteUri) throw new ArgumentException($"'{server}' is not an absolute URL", nameof(server));
        var text = server.GetLeftPart(UriPartial.Path);
        return new Uri(text.EndsWith('/') ? text : text + "/");
    }
}
