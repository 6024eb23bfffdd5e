using System.Net;
using Chas.Client;
using Chas.Contracts;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Ingress.Traffic;

/// <summary>
/// Every <see cref="Interval"/>, sends this ingress's per-route traffic to the server
/// (PUT /api/v1/ingresses/{name}/traffic), which does not know where ingresses are. It only reads
/// counters the request path keeps anyway. A failed report is logged at debug and the next tick
/// sends a fresh one (the counters are totals, so nothing is lost but resolution).
/// </summary>
internal sealed partial class TrafficReporter(TrafficSnapshot snapshot, ChasClient client, IServer server, TimeProvider time,
    ILogger<TrafficReporter> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private string? _name;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        snapshot.Start(time.GetUtcNow());
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            // Kestrel binds after hosted services start: the name (with the real port) is known by the first tick.
            if ((_name ??= NameOf(server)) is not { } name) continue;
            try
            {
                // The client has no timeout of its own (watches are long): a server that hangs must not stop the ticks.
                using var attempt = new CancellationTokenSource(Interval * 2, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, attempt.Token);
                var now = time.GetUtcNow();
                var routes = await snapshot.TakeAsync(now, linked.Token);
                await client.ReportTrafficAsync(name, new TrafficReport { At = now, Routes = routes }, linked.Token);
            }
            // Whatever goes wrong, reporting must never take the ingress down (a BackgroundService that throws stops the host).
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogReportFailed(logger, client.Server, ex.Message);
            }
        }
    }

    /// <summary>`host:port`: this machine's name and the port traffic arrives on; null until Kestrel listens.</summary>
    private static string? NameOf(IServer server)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null || !Uri.TryCreate(address.Replace("://+", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var url)) return null;
        var host = new string([.. Dns.GetHostName().ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-')]);
        var name = $"{(host.Length == 0 ? "ingress" : host)}:{url.Port}";
        return name.Length <= Validate.MaxIngressNameLength ? name : name[^Validate.MaxIngressNameLength..];
    }

    [LoggerMessage(EventId = 4030, Level = LogLevel.Debug, Message = "Could not report traffic to {Server}; trying again at the next tick: {Error}")]
    private static partial void LogReportFailed(ILogger logger, Uri server, string error);
}
