using Chas.Client;

namespace Chas.Cli;

/// <summary>Resolves which server and token a CLI verb uses: environment first, then the current context.</summary>
internal static class Connection
{
    public static ChasClient Open()
    {
        var config = CliConfig.Load(CliConfig.DefaultPath());
        CliContextEntry? context = null;
        if (config.CurrentContext is { } name) config.Contexts.TryGetValue(name, out context);

        var server = Environment.GetEnvironmentVariable("CHAS_SERVER") is { Length: > 0 } s ? s : context?.Server;
        var token = Environment.GetEnvironmentVariable("CHAS_TOKEN") is { Length: > 0 } t ? t : context?.Token;
        if (server is null)
            throw new CliException("no server configured: start one with `chas dev`, or set CHAS_SERVER and CHAS_TOKEN");
        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var uri))
            throw new CliException($"'{server}' is not a valid server URL");
        return new ChasClient(uri, token);
    }
}
