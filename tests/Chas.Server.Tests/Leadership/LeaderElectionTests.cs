using Chas.Server.Hosting;
using Chas.Server.Leadership;
using Chas.Store;
using Chas.Store.Sqlite;
using Chas.Testing.TempData;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Server.Tests.Leadership;

/// <summary>
/// Two servers' elections (and a leader-only service each) on one SQLite store and one fake clock. The clock is
/// advanced a renew interval at a time, each step only after both servers have acted on the previous one, so the
/// order of events is the one the defaults give in real time (lease 5 s, renewed every 1 s, renew deadline 4 s).
/// </summary>
public sealed class LeaderElectionTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = TempDirectory.Create("chas-leader-tests-");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private SqliteObjectStore _store = null!;
    private readonly List<Server> _servers = [];

    private sealed record Server(LeaderElection Election, PartitionableLeases Leases, RecordingLeaderService Service, PacedTime Time);

    public async Task InitializeAsync() =>
        _store = await SqliteObjectStore.OpenAsync(new SqliteStoreOptions { DatabasePath = _directory.Combine("chas.db"), Time = _time, SynchronousFull = false });

    public async Task DisposeAsync()
    {
        foreach (var server in _servers) await StopAsync(server);
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Exactly_one_of_two_servers_leads_at_once_and_keeps_leading_while_it_renews()
    {
        var a = await StartAsync();
        var b = await StartAsync();

        Assert.True(a.Election.IsLeader);
        Assert.False(b.Election.IsLeader);
        Assert.Equal(a.Election.ServerId, b.Election.Leader);
        Assert.NotEqual(a.Election.ServerId, b.Election.ServerId);
        var token = a.Election.CurrentTerm!.Fence!.Token;
        await Eventually.UntilAsync(() => a.Service.Running, TimeSpan.FromSeconds(10), "the leader's service to run");

        for (var second = 1; second <= 10; second++) await StepAsync(second, a, b);

        Assert.True(a.Election.IsLeader);
        Assert.False(b.Election.IsLeader);
        Assert.Equal(token, a.Election.CurrentTerm!.Fence!.Token);
        Assert.Equal([new Fence(LeaderElection.LeaseName, token)], a.Service.Terms);
        Assert.Empty(b.Service.Terms);
        Assert.Equal(a.Election.ServerId, (await _store.GetAsync(LeaderElection.LeaseName))!.Holder);
    }

    [Fact]
    public async Task A_leader_that_stops_releases_the_lease_and_the_other_server_takes_over_with_a_larger_token()
    {
        var a = await StartAsync();
        var b = await StartAsync();
        var first = a.Election.CurrentTerm!.Fence!.Token;

        await StopAsync(a);
        Assert.False(a.Service.Running);
        Assert.Equal("", (await _store.GetAsync(LeaderElection.LeaseName))!.Holder);
        await StepAsync(1, b);

        await Eventually.UntilAsync(() => b.Election.IsLeader && b.Service.Running, TimeSpan.FromSeconds(10), "b to lead");
        var second = b.Election.CurrentTerm!.Fence!.Token;
        Assert.True(second > first, $"token {second} is not larger than {first}");
        Assert.Equal([new Fence(LeaderElection.LeaseName, second)], b.Service.Terms);
    }

    [Fact]
    public async Task A_leader_cut_off_from_the_database_steps_down_before_its_lease_passes_to_the_other_server()
    {
        var a = await StartAsync();
        var b = await StartAsync();
        var termOfA = a.Election.CurrentTerm!;
        DateTimeOffset? aSteppedDownAt = null;
        termOfA.Lost.Register(() => aSteppedDownAt = _time.GetUtcNow());

        a.Leases.CutOff = true;
        var second = 0;
        while (!b.Election.IsLeader)
        {
            Assert.True(++second <= 10, "b did not take over within 10 s of fake time");
            await StepAsync(second, a, b);
        }

        Assert.False(a.Election.IsLeader);
        Assert.Contains("no renewal", termOfA.EndReason, StringComparison.Ordinal);
        Assert.NotNull(aSteppedDownAt);
        var termOfB = b.Election.CurrentTerm!;
        Assert.True(aSteppedDownAt < termOfB.LeadingSince, $"a stepped down at {aSteppedDownAt:O}, b led from {termOfB.LeadingSince:O}");
        Assert.True(termOfB.Fence!.Token > termOfA.Fence!.Token);
        await Eventually.UntilAsync(() => b.Service.Running && !a.Service.Running, TimeSpan.FromSeconds(10), "only b's service to run");
    }

    [Fact]
    public async Task A_leader_whose_renewal_is_refused_steps_down_at_once_and_follows_the_new_holder()
    {
        var a = await StartAsync();
        var termOfA = a.Election.CurrentTerm!;
        // Behind a's back (as if it had been paused past its lease): the lease is freed and taken by another.
        await _store.ReleaseAsync(LeaderElection.LeaseName, a.Election.ServerId, termOfA.Fence!.Token);
        var intruder = await _store.TryAcquireAsync(LeaderElection.LeaseName, "intruder", TimeSpan.FromMinutes(1));

        await StepAsync(1, a);

        Assert.False(termOfA.IsActive);
        Assert.Equal("the lease passed to another server", termOfA.EndReason);
        Assert.False(a.Election.IsLeader);
        Assert.Equal("intruder", a.Election.Leader);
        Assert.True(intruder.Token > termOfA.Fence.Token);
        await Eventually.UntilAsync(() => !a.Service.Running, TimeSpan.FromSeconds(10), "a's service to stop");
    }

    [Fact]
    public async Task A_write_of_a_deposed_leader_is_refused_nothing_is_written_and_its_host_goes_on()
    {
        var a = await StartAsync(writeKey: "late");
        var b = await StartAsync();
        await Eventually.UntilAsync(() => a.Service.Running, TimeSpan.FromSeconds(10), "a's service to start its write");
        var revision = _store.CurrentRevision;

        a.Leases.CutOff = true;
        for (var second = 1; !b.Election.IsLeader; second++)
        {
            Assert.True(second <= 10, "b did not take over within 10 s of fake time");
            await StepAsync(second, a, b);
        }
        a.Service.Gate.SetResult();

        await Eventually.UntilAsync(() => a.Service.WriteFailure is not null, TimeSpan.FromSeconds(10), "a's late write to fail");
        Assert.IsType<FencedOutException>(a.Service.WriteFailure);
        Assert.Null(await _store.GetAsync("test", "late"));
        Assert.Equal(revision, _store.CurrentRevision);
        await Eventually.UntilAsync(() => !a.Service.Running, TimeSpan.FromSeconds(10), "a's service to end its term");
        Assert.False(a.Service.ExecuteTask!.IsCompleted, "the leader-only service must wait for the next term, not end");
        Assert.False(a.Election.ExecuteTask!.IsCompleted, "the election must go on");
    }

    [Fact]
    public async Task Without_a_lease_store_the_server_always_leads_with_no_fence()
    {
        var election = new LeaderElection(null, Options(), _time, NullLogger<LeaderElection>.Instance);
        var service = new RecordingLeaderService(election, _store);
        await election.StartAsync(CancellationToken.None);
        await service.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(election.IsLeader);
            await Eventually.UntilAsync(() => service.Running, TimeSpan.FromSeconds(10), "the service to run");
            Assert.Equal([(Fence?)null], service.Terms);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
            await election.StopAsync(CancellationToken.None);
        }
    }

    private ServerOptions Options() => new() { DataDir = _directory.Path };

    private async Task<Server> StartAsync(string? writeKey = null)
    {
        var options = Options();
        var leases = new PartitionableLeases(_store);
        var time = new PacedTime(_time, options.LeaseRenewInterval);
        var election = new LeaderElection(leases, options, time, NullLogger<LeaderElection>.Instance);
        var service = new RecordingLeaderService(election, _store) { WriteKey = writeKey };
        var server = new Server(election, leases, service, time);
        _servers.Add(server);
        await election.StartAsync(CancellationToken.None);
        await service.StartAsync(CancellationToken.None);
        // The first try is made at start: the first server leads at once, the second knows it follows.
        await Eventually.UntilAsync(() => time.PacedWaits >= 1, TimeSpan.FromSeconds(10), "the first try for the lease");
        return server;
    }

    private static async Task StopAsync(Server server)
    {
        // Idempotent: a test may have stopped it already.
        await server.Service.StopAsync(CancellationToken.None);
        await server.Election.StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// Advances the clock by one renew interval, to <paramref name="second"/> seconds after the start, then waits until
    /// every given server has acted on it (renewed, tried to take the lease, or stepped down and tried again) and waits anew.
    /// </summary>
    private async Task StepAsync(int second, params Server[] servers)
    {
        var before = servers.Select(s => s.Time.PacedWaits).ToArray();
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.UntilAsync(() => servers.Select((s, i) => s.Time.PacedWaits > before[i]).All(acted => acted),
            TimeSpan.FromSeconds(10), $"every server to act at second {second}");
    }
}
