using System.Net;

namespace Chas.Testing.Processes;

/// <summary>What the ingress answered to one request: the status and the body (a backend's hostname, or the ingress's own text).</summary>
public sealed record IngressResponse(HttpStatusCode Status, string Body)
{
    public bool Ok => Status == HttpStatusCode.OK;

    /// <summary>The backend that answered: the test backends serve their container's hostname.</summary>
    public string Backend => Body.Trim();

    public override string ToString() => $"{(int)Status} {Body.Trim()}";
}

/// <summary>
/// Requests to an ingress on 127.0.0.1 with a chosen Host header, as a browser resolving
/// `web.default.localhost` to the loopback address would send them.
/// </summary>
public sealed class IngressClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly Uri _baseUrl;

    /// <param name="acceptCertificate">For HTTPS: the one server certificate to trust (a test's self-signed one).</param>
    public IngressClient(Uri baseUrl, System.Security.Cryptography.X509Certificates.X509Certificate2? acceptCertificate = null)
    {
        _baseUrl = baseUrl;
        var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false };
        if (acceptCertificate is not null)
        {
            var thumbprint = acceptCertificate.Thumbprint;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && string.Equals(certificate.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase);
        }
        _http = new HttpClient(handler) { Timeout = RequestTimeout };
    }

    public static IngressClient For(ChasDevProcess dev) =>
        dev.IngressPort > 0 ? new IngressClient(new Uri($"http://127.0.0.1:{dev.IngressPort}/"))
            : throw new InvalidOperationException("this chas dev runs no ingress: start it with StartWithIngressAsync");

    public async Task<IngressResponse> GetAsync(string host, string path = "/")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUrl, path));
        request.Headers.Host = host;
        using var response = await _http.SendAsync(request);
        return new IngressResponse(response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary><paramref name="count"/> requests one after the other; a request that fails at the transport shows as status 0.</summary>
    public async Task<IReadOnlyList<IngressResponse>> GetManyAsync(string host, int count)
    {
        var responses = new List<IngressResponse>(count);
        for (var i = 0; i < count; i++) responses.Add(await GetOrErrorAsync(host));
        return responses;
    }

    /// <summary>Like <see cref="GetAsync"/>, but a connection error or timeout is an answer (status 0, the error as body), not an exception.</summary>
    public async Task<IngressResponse> GetOrErrorAsync(string host)
    {
        try
        {
            return await GetAsync(host);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new IngressResponse(0, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// Waits until <paramref name="count"/> requests in a row all succeed and reach exactly
    /// <paramref name="backends"/> distinct backends: the ingress routes to every ready instance.
    /// </summary>
    public Task<IReadOnlyList<IngressResponse>> WaitForBackendsAsync(string host, int backends, Func<string>? diagnostics, int count = 30, TimeSpan? deadline = null) =>
        Eventually.GetAsync(
            () => GetManyAsync(host, count),
            rs => rs.All(r => r.Ok) && rs.Select(r => r.Backend).Distinct(StringComparer.Ordinal).Count() == backends,
            deadline ?? TimeSpan.FromSeconds(30), $"{count} requests to {host} to succeed and reach {backends} distinct backends", diagnostics);

    /// <summary>
    /// Waits until the ingress's own stats (`/ingress/v1/stats`) show the route of <paramref name="host"/> with
    /// <paramref name="destinations"/> destinations, all available: it applies the instances the server reports.
    /// </summary>
    public Task WaitForRouteAsync(string host, int destinations, Func<string>? diagnostics, TimeSpan? deadline = null) =>
        Eventually.GetAsync(
            async () =>
            {
                using var document = System.Text.Json.JsonDocument.Parse((await GetAsync("localhost", "/ingress/v1/stats")).Body);
                return document.RootElement.GetProperty("routes").EnumerateArray()
                    .Where(r => r.GetProperty("host").GetString() == host)
                    .Select(r => $"{r.GetProperty("host").GetString()}{r.GetProperty("path").GetString()} destinations={r.GetProperty("destinations").GetInt32()} available={r.GetProperty("available").GetInt32()}")
                    .ToList();
            },
            routes => routes.Count > 0 && routes.All(r => r.EndsWith($" destinations={destinations} available={destinations}", StringComparison.Ordinal)),
            deadline ?? TimeSpan.FromSeconds(30), $"the ingress's route for {host} to have {destinations} available destinations", diagnostics);

    public void Dispose() => _http.Dispose();
}

/// <summary>Waiting for an ingress to answer `/healthz` with 200: it listens and has listed the cluster once.</summary>
public static class IngressHealth
{
    public static async Task WaitAsync(Uri baseUrl, Func<string> diagnostics, System.Security.Cryptography.X509Certificates.X509Certificate2? acceptCertificate = null)
    {
        using var client = new IngressClient(baseUrl, acceptCertificate);
        await Eventually.WaitAsync(async () => (await client.GetAsync("localhost", "/healthz")).Ok,
            TimeSpan.FromSeconds(30), $"the ingress at {baseUrl} to answer /healthz with 200", diagnostics);
    }
}
