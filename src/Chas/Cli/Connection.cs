using System.Net;
using Chas.Client;
using Chas.Client.Failover;

namespace Chas.Cli;

/// <summary>
/// Resolves which server, token, CA and namespace a CLI verb uses: environment first, then the current
/// context. A signed-in context whose access token is about to expire is refreshed silently first.
/// The server may be several, comma-separated (servers of one cluster): requests move to a live one.
/// </summary>
internal static class Connection
{
    /// <summary>An access token with less than this left is refreshed before use.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    /// <summary>Makes the HTTP handler for a context's CA (null: system trust). Tests put a stub here.</summary>
    internal static Func<string?, HttpMessageHandler?> HandlerFor { get; set; } = ChasClientTls.HandlerFor;

    /// <param name="ns">-n/--namespace; null takes the context's namespace, else the server decides.</param>
    public static ChasClient Open(string? ns = null) =>
        OpenAsync(ns, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>`--server` given to the verb (set once by Program from the root's option); it beats CHAS_SERVER.</summary>
    internal static string? CommandLineServer { get; set; }

    public static Task<ChasClient> OpenAsync(string? ns, CancellationToken ct) =>
        OpenAsync(CliConfig.DefaultPath(), CommandLineServer ?? Env("CHAS_SERVER"), Env("CHAS_TOKEN"), ns, TimeProvider.System, ct);

    internal static async Task<ChasClient> OpenAsync(string configPath, string? envServer, string? envToken, string? ns, TimeProvider clock, CancellationToken ct)
    {
        var config = CliConfig.Load(configPath);
        var contextName = config.CurrentContext;
        CliContextEntry? context = null;
        if (contextName is not null) config.Contexts.TryGetValue(contextName, out context);

        var server = envServer ?? context?.Server;
        if (server is null)
            throw new CliException("no server configured: sign in with `chas login --server URL --user NAME`, start one with `chas dev`, or set CHAS_SERVER and CHAS_TOKEN");
        var servers = ParseServers(server);
        // The context's CA and session belong to its own servers, not to ones CHAS_SERVER points elsewhere.
        var ownServer = context is not null && ServerEndpoints.TryParse(context.Server, out var contextServers, out _)
            && servers.All(s => contextServers.Contains(s));

        var client = new ChasClient(servers, envToken ?? context?.Token, HandlerFor(ownServer ? context!.CertificateAuthority : null))
        {
            Namespace = ns ?? context?.Namespace,
        };
        try
        {
            if (envToken is null && ownServer && NeedsRefresh(context!, clock))
                await RefreshAsync(client, configPath, contextName!, context!, clock, ct);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>One server URL, or several separated by commas (the servers of one cluster, tried in that order).</summary>
    public static ServerEndpoints ParseServers(string servers) =>
        ServerEndpoints.TryParse(servers, out var parsed, out var error) ? parsed : throw new CliException(error!);

    public static bool NeedsRefresh(CliContextEntry context, TimeProvider clock) =>
        context.RefreshToken is not null && context.TokenExpiresAt is { } expires && expires - clock.GetUtcNow() <= RefreshMargin;

    public static string SessionExpired(CliContextEntry context) =>
        $"your session has expired; sign in again: chas login --server {Display(context.Server)} --user {context.User ?? "NAME"}";

    /// <summary>A context's server(s) as `--server` takes them.</summary>
    public static string Display(string servers) =>
        ServerEndpoints.TryParse(servers, out var parsed, out _) ? parsed.ToString() : servers.TrimEnd('/');

    /// <summary>Trades the refresh token for a new pair, saves both (the old refresh token is spent) and sends the new access token from now on.</summary>
    private static async Task RefreshAsync(ChasClient client, string configPath, string contextName, CliContextEntry context, TimeProvider clock, CancellationToken ct)
    {
        // The refresh call is anonymous: an expired bearer token must not get in its way.
        client.SetToken(null);
        try
        {
            var login = await client.RefreshAsync(context.RefreshToken!, ct);
            var refreshed = context with { Token = login.AccessToken, RefreshToken = login.RefreshToken, TokenExpiresAt = login.AccessTokenExpiresAt };
            CliConfig.Load(configPath).WithContext(contextName, refreshed, makeCurrent: false).Save(configPath);
            client.SetToken(login.AccessToken);
        }
        catch (ChasApiException ex) when (ex.Status == HttpStatusCode.Unauthorized)
        {
            // Another chas process may have refreshed at the same moment and spent the token first: use what it saved.
            if (CliConfig.Load(configPath).Contexts.GetValueOrDefault(contextName) is { } now
                && now.RefreshToken != context.RefreshToken && now.Token is not null && !NeedsRefresh(now, clock))
            {
                client.SetToken(now.Token);
                return;
            }
            throw new CliException(SessionExpired(context));
        }
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
