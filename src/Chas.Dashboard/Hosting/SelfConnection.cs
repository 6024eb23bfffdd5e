using System.Net.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Chas.Dashboard.Hosting;

/// <summary>
/// The dashboard is a client of the API like the CLI is: every action goes through the same endpoints
/// with the signed-in person's token. This finds the server's own address and the trust it needs.
/// </summary>
public sealed class SelfConnection(IServer server, DashboardOptions options, IServiceProvider services)
{
    private Uri? _address;

    /// <summary>The API's base address: the first listening address, with a wildcard host replaced by loopback.</summary>
    public Uri ApiAddress => _address ??= options.ApiAddress ?? FromServer();

    private Uri FromServer()
    {
        var listen = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the server has no listening address yet");
        var uri = new UriBuilder(listen.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "localhost") uri.Host = "127.0.0.1";
        else if (uri.Host is "[::]" or "::") uri.Host = "[::1]";
        uri.Path = "/";
        return uri.Uri;
    }

    /// <summary>A handler for one client; with TLS it accepts exactly the server's own certificate.</summary>
    public HttpMessageHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) };
        var certificate = options.ServerCertificate?.Invoke(services);
        if (certificate is not null)
        {
            var pinned = certificate.RawData;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, errors) =>
                presented is not null && (errors == SslPolicyErrors.None || presented.GetRawCertData().AsSpan().SequenceEqual(pinned));
        }
        return handler;
    }
}
