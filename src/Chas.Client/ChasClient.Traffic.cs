using System.Net.Http.Json;
using Chas.Contracts;

namespace Chas.Client;

public sealed partial class ChasClient
{
    /// <summary>An ingress's latest per-route counters (admin); the server keeps only the latest per ingress.</summary>
    public async Task ReportTrafficAsync(string ingress, TrafficReport report, CancellationToken ct = default)
    {
        using var content = JsonContent.Create(report, ChasJsonContext.Default.TrafficReport);
        using var response = await _http.PutAsync($"api/v1/ingresses/{Segment(ingress)}/traffic", content, ct);
        await EnsureSuccessAsync(response, ct);
    }

    /// <summary>Every route of <see cref="Namespace"/> (null: every namespace the caller can see), summed over the ingresses.</summary>
    public Task<TrafficView> GetTrafficAsync(CancellationToken ct = default) =>
        GetAsync(WithNamespace("api/v1/traffic", Namespace), ChasJsonContext.Default.TrafficView, ct);

    /// <summary>One service's traffic (zeros when no ingress saw any).</summary>
    public Task<RouteTraffic> GetServiceTrafficAsync(string name, string? ns = null, CancellationToken ct = default) =>
        GetAsync(WithNamespace($"api/v1/services/{Segment(name)}/traffic", ns ?? Namespace), ChasJsonContext.Default.RouteTraffic, ct);
}
