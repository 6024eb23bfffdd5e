namespace Chas.Bench.Ingress;

internal static class Loopback
{
    /// <summary>
    /// Waits until GET / with <paramref name="host"/> (or none) at <paramref name="url"/> answers 200 with the backend's
    /// body: the target really forwards to the backend, so a 404 or 503 answered fast is never measured as speed.
    /// </summary>
    public static async Task WaitUntilServesBackendAsync(HttpClient http, Uri url, string? host, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                if (host is not null) request.Headers.Host = host;
                using var response = await http.SendAsync(request, ct);
                if (response.IsSuccessStatusCode && (await response.Content.ReadAsByteArrayAsync(ct)).AsSpan().SequenceEqual(FastBackend.Body)) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            // An external process's readiness has no event to wait for; ask again shortly.
            await Task.Delay(50, ct);
        }
    }
}
