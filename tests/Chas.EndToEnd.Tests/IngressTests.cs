using System.Diagnostics;
using System.Globalization;
using Chas.EndToEnd.Tests.Infrastructure;
using Chas.Runtime.Docker;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Chas.EndToEnd.Tests;

/// <summary>One `chas dev` with its ingress on a free port, shared by the ingress tests (each uses its own deployment names and hosts).</summary>
public sealed class IngressDevFixture : IAsyncLifetime
{
    private ChasDevProcess? _dev;

    public ChasDevProcess Dev => _dev ?? throw new InvalidOperationException("the chas dev with an ingress did not start");

    public async Task InitializeAsync() => _dev = await ChasDevProcess.StartWithIngressAsync();

    public async Task DisposeAsync()
    {
        if (_dev is not null) await _dev.DisposeAsync();
    }
}

/// <summary>
/// The ingress of `chas dev` in front of real containers: busybox httpd backends that answer with their
/// revision's VERSION and their container's hostname, so every response says which instance served it.
/// </summary>
public sealed class IngressTests : EndToEndTest, IClassFixture<IngressDevFixture>
{
    /// <summary>
    /// Serves "VERSION HOSTNAME" on port 8080; exits at once on SIGTERM (the trap), so a stop does not wait out the grace period.
    /// </summary>
    private static readonly string[] HostnameServer =
        ["sh", "-c", "echo \"${VERSION:-0} $(hostname)\" > /tmp/index.html; trap 'exit 0' TERM; httpd -f -p 8080 -h /tmp & wait"];

    private readonly ChasDevProcess _dev;
    private readonly IngressClient _ingress;
    private readonly List<string> _deployments = [];

    public IngressTests(IngressDevFixture fixture, ITestOutputHelper output) : base(output)
    {
        _dev = Use(fixture.Dev);
        _ingress = IngressClient.For(_dev);
    }

    [Fact]
    public async Task Round_robin_spreads_30_requests_evenly_over_3_replicas()
    {
        var host = await DeployServerAsync("rr", replicas: 3);
        await _ingress.WaitForBackendsAsync(host, backends: 3, _dev.Diagnostics);

        var responses = await _ingress.GetManyAsync(host, 30);

        Assert.All(responses, r => Assert.True(r.Ok, r.ToString()));
        var perBackend = responses.GroupBy(r => r.Backend).ToDictionary(g => g.Key, g => g.Count());
        Output.WriteLine("round-robin: " + string.Join(", ", perBackend.Select(p => $"{p.Key}: {p.Value}")));
        Assert.Equal(3, perBackend.Count);
        Assert.All(perBackend, p => Assert.Equal(10, p.Value));
        // The backends are the deployment's three instances: their containers' hostnames (the container id's first 12 characters).
        var containers = (await _dev.Cli.ListInstancesAsync("rr")).Where(i => i.Status == "running").Select(i => i.ContainerId![..12]).Order();
        Assert.Equal(containers, perBackend.Keys.Select(b => b.Split(' ')[1]).Order());
    }

    [Fact]
    public async Task An_unknown_host_gets_404_saying_it_is_not_routed()
    {
        var response = await _ingress.GetAsync("nothing-here.default.localhost", "/some/path");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.Status);
        Assert.Contains("no deployment is exposed at host 'nothing-here.default.localhost'", response.Body, StringComparison.Ordinal);
        Assert.Contains("'/some/path'", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_killed_replica_gets_no_traffic_while_it_is_down_and_the_deployment_heals_to_3()
    {
        var host = await DeployServerAsync("victim", replicas: 3);
        await _ingress.WaitForBackendsAsync(host, backends: 3, _dev.Diagnostics);
        var victim = (await _dev.Cli.ListInstancesAsync("victim")).First(i => i.Status == "running");
        var victimBackend = victim.ContainerId![..12];
        await using var watcher = await TaskWatcher.StartAsync(_dev.Client);

        // Requests one after the other from the kill until the instance has been restarted and is ready again.
        var clock = Stopwatch.StartNew();
        var log = new List<(TimeSpan At, IngressResponse Response)>();
        using var stopLoad = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested) log.Add((clock.Elapsed, await _ingress.GetOrErrorAsync(host)));
        });
        using (var docker = new DockerClientConfiguration(new Uri(new DockerRuntimeOptions().Endpoint)).CreateClient())
            await docker.Containers.KillContainerAsync(victim.ContainerId, new ContainerKillParameters { Signal = "KILL" });
        var killedAt = clock.Elapsed;
        await watcher.WaitAsync(
            tasks => tasks.LiveInstances("victim") is { Count: 3 } live && live.All(DeploymentWaits.IsServing)
                && live.Any(i => i.Uid == victim.Uid && i.RestartCount >= 1),
            TimeSpan.FromSeconds(40), "the killed instance of 'victim' to be restarted and all 3 ready again", _dev.Diagnostics);
        var healedAt = clock.Elapsed;
        await stopLoad.CancelAsync();
        await load;

        var afterKill = log.Where(l => l.At >= killedAt).ToList();
        var failed = afterKill.Count(l => !l.Response.Ok);
        // The first 30 requests in a row that all succeeded without reaching the killed instance.
        var streakEnd = -1;
        for (int i = 0, run = 0; i < afterKill.Count; i++)
        {
            run = afterKill[i].Response.Ok && afterKill[i].Response.Backend.Split(' ')[^1] != victimBackend ? run + 1 : 0;
            if (run == 30)
            {
                streakEnd = i;
                break;
            }
        }
        Output.WriteLine(FormattableString.Invariant(
            $"killed replica: {afterKill.Count} requests from the kill to its return {(healedAt - killedAt).TotalSeconds:0.00} s later; {failed} failed")
            + (streakEnd < 0 ? "" : FormattableString.Invariant($"; 30 good requests in a row by {(afterKill[streakEnd].At - killedAt).TotalSeconds:0.00} s")));
        Assert.True(streakEnd >= 0, "no 30 requests in a row succeeded on the other replicas while the killed one was down:\n"
            + string.Join("\n", afterKill.Select(l => string.Create(CultureInfo.InvariantCulture, $"{(l.At - killedAt).TotalSeconds:0.000} s {l.Response}"))));
        Assert.True(afterKill[streakEnd].At - killedAt < TimeSpan.FromSeconds(10), "traffic took more than 10 s to settle on the live replicas");
        // Once settled, every request succeeded until the instance came back.
        var settled = afterKill.Skip(streakEnd + 1).Where(l => !l.Response.Ok).ToList();
        Assert.True(settled.Count == 0, "failed after traffic had settled: " + string.Join("; ", settled.Select(l => l.Response)));

        // Healed: back to three backends, the restarted instance (same container, so the same hostname) among them.
        await _dev.WaitForRolloutAsync("victim", replicas: 3, deadline: TimeSpan.FromSeconds(20));
        var back = await _ingress.WaitForBackendsAsync(host, backends: 3, _dev.Diagnostics);
        Assert.Contains(back, r => r.Backend.EndsWith(victimBackend, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rolling_update_under_load_fails_no_request_and_switches_to_the_new_instances()
    {
        var host = await DeployServerAsync("rolling", replicas: 3, "-e", "VERSION=1");
        var before = await _ingress.WaitForBackendsAsync(host, backends: 3, _dev.Diagnostics);
        Assert.All(before, r => Assert.StartsWith("1 ", r.Body, StringComparison.Ordinal));

        // Four clients, each sending one request after the other, from before the update until the new revision answers alone.
        var responses = new List<IngressResponse>();
        using var stopLoad = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                var response = await _ingress.GetOrErrorAsync(host);
                lock (responses) responses.Add(response);
            }
        })).ToList();
        try
        {
            Assert.Equal(2, await _dev.DeployAsync("rolling", HostnameServer, "--port", "8080", "-e", "VERSION=2"));
            var rollout = await _dev.Cli.RunAsync(["rollout", "status", "rolling", "--timeout", "60s"], TimeSpan.FromSeconds(90));
            Assert.True(rollout.ExitCode == 0, rollout.ToString());
            Assert.Equal("rolling: revision 2 rolled out", rollout.StdoutLines[^1]);
            await Eventually.WaitAsync(
                () =>
                {
                    lock (responses) return Task.FromResult(responses.Count >= 30 && responses.TakeLast(30).All(r => r.Ok && r.Body.StartsWith("2 ", StringComparison.Ordinal)));
                },
                TimeSpan.FromSeconds(20), "the last 30 responses to come from revision 2", _dev.Diagnostics);
        }
        finally
        {
            await stopLoad.CancelAsync();
            await Task.WhenAll(clients);
        }

        var failed = responses.Where(r => !r.Ok).ToList();
        var byVersion = responses.Where(r => r.Ok).GroupBy(r => r.Body.Split(' ')[0]).ToDictionary(g => g.Key, g => g.Count());
        Output.WriteLine($"rolling update under load: {responses.Count} requests, {failed.Count} failed; by revision: "
            + string.Join(", ", byVersion.Select(v => $"{v.Key}: {v.Value}")));
        Assert.True(failed.Count == 0, $"{failed.Count} of {responses.Count} requests failed during the rolling update: "
            + string.Join("; ", failed.Take(10).Select(r => r.ToString())));
        // The new revision's instances are new containers: none of the old hostnames answers any more.
        var after = await _ingress.WaitForBackendsAsync(host, backends: 3, _dev.Diagnostics);
        Assert.All(after, r => Assert.StartsWith("2 ", r.Body, StringComparison.Ordinal));
        Assert.Empty(after.Select(r => r.Backend.Split(' ')[1]).Intersect(before.Select(r => r.Backend.Split(' ')[1])));
    }

    [Fact]
    public async Task A_weighted_canary_gets_about_10_percent_of_2000_requests()
    {
        const string host = "shop.localhost";
        await DeployServerAsync("stable", replicas: 1, "--host", host, "--weight", "90", "-e", "VERSION=stable");
        await DeployServerAsync("canary", replicas: 1, "--host", host, "--weight", "10", "-e", "VERSION=canary");
        await _ingress.WaitForRouteAsync(host, destinations: 2, _dev.Diagnostics);

        // Eight clients side by side, 250 requests each.
        var perClient = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _ingress.GetManyAsync(host, 250))));
        var responses = perClient.SelectMany(r => r).ToList();

        Assert.All(responses, r => Assert.True(r.Ok, r.ToString()));
        var canary = responses.Count(r => r.Body.StartsWith("canary ", StringComparison.Ordinal));
        var stable = responses.Count(r => r.Body.StartsWith("stable ", StringComparison.Ordinal));
        var share = (double)canary / responses.Count;
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"canary: {canary} of {responses.Count} requests ({share:P1}), stable: {stable}"));
        Assert.Equal(2000, canary + stable);
        Assert.InRange(share, 0.05, 0.15);
    }

    [Fact]
    public async Task Ip_hash_sends_every_request_of_one_client_to_the_same_backend()
    {
        var host = await DeployServerAsync("sticky", replicas: 3, "--lb", "ip-hash");
        // All three instances are destinations, so the same backend every time is the hash's choice, not the only one.
        await _ingress.WaitForRouteAsync(host, destinations: 3, _dev.Diagnostics);

        var responses = await _ingress.GetManyAsync(host, 20);

        Assert.All(responses, r => Assert.True(r.Ok, r.ToString()));
        Output.WriteLine($"ip-hash: 20 requests from 127.0.0.1 went to {string.Join(", ", responses.Select(r => r.Backend).Distinct())}");
        Assert.Single(responses.Select(r => r.Backend).Distinct());
    }

    [Fact]
    public async Task A_tls_ingress_terminates_https_with_the_given_certificate_and_routes_by_host()
    {
        var host = await DeployServerAsync("secure", replicas: 1);
        var certPath = Path.Combine(_dev.TempDir, "ingress-cert.pem");
        var keyPath = Path.Combine(_dev.TempDir, "ingress-key.pem");
        using var certificate = SelfSignedCertificate.Create(certPath, keyPath, "localhost", host);
        var log = new OutputLog();
        await using var tlsIngress = await IngressProcess.StartAsync(_dev, log, tls: true, certificate, "--tls-cert", certPath, "--tls-key", keyPath);
        try
        {
            Assert.Equal("https", tlsIngress.Url.Scheme);
            using var client = new IngressClient(tlsIngress.Url, certificate);

            var response = await Eventually.GetAsync(() => client.GetAsync(host), r => r.Ok, TimeSpan.FromSeconds(30),
                $"an HTTPS request for {host} through {tlsIngress.Url} to reach a backend", tlsIngress.Diagnostics);

            var instance = Assert.Single(await _dev.Cli.ListInstancesAsync("secure"), i => i.Status == "running");
            Assert.Equal($"0 {instance.ContainerId![..12]}", response.Backend);
        }
        finally
        {
            Output.WriteLine(tlsIngress.Diagnostics());
        }
    }

    private async Task<string> DeployServerAsync(string name, int replicas, params string[] options)
    {
        _deployments.Add(name);
        await _dev.DeployAsync(name, HostnameServer, ["--replicas", replicas.ToString(CultureInfo.InvariantCulture), "--port", "8080", .. options]);
        await _dev.WaitForRolloutAsync(name, replicas);
        return $"{name}.default.localhost";
    }

    public override async Task DisposeAsync()
    {
        foreach (var name in _deployments) await _dev.Cli.RunAsync("rm", $"deployment/{name}");
        _ingress.Dispose();
        await base.DisposeAsync();
    }
}
