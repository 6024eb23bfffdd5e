using Chas.Client;
using Chas.Ingress.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Ingress.Tests;

public sealed class WatchTests
{
    [Fact]
    public async Task After_a_broken_watch_the_ingress_lists_again_and_catches_up_with_what_it_missed()
    {
        using var handler = new BreakableHandler();
        await using var h = await IngressHarness.StartAsync(configure: (server, b) =>
            b.Services.AddSingleton(new ChasClient(server.Url, server.Secrets.AdminToken, handler)));
        var backends = await h.AddBackendsAsync("web", 2);
        await h.DeployAsync("web", "web", 1);
        await h.WaitForDestinationsAsync("web.default.localhost", 1);
        var lists = handler.DeploymentLists;

        // The server is unreachable while the deployment scales: the ingress cannot see it happen.
        handler.Refusing = true;
        handler.BreakWatches();
        await h.Server.Admin.ScaleDeploymentAsync("web", 2);
        await Task.Delay(300);
        handler.Refusing = false;

        await h.WaitForDestinationsAsync("web.default.localhost", 2);
        Assert.True(handler.DeploymentLists > lists, "the ingress should have listed again");
        Assert.Equal(2, (await h.SpreadAsync("web.default.localhost", 10)).Count);
        Assert.Equal(backends.Count, backends.Count(b => b.Hits > 0));
    }
}
