using System.Net;
using System.Text.Json;
using Chas.Contracts;
using Chas.Server.Hosting;
using Chas.Store;
using Chas.Testing.TempData;

namespace Chas.Server.Tests;

/// <summary>
/// Two servers with data directories of their own on one database (one store object, one set of counters):
/// either accepts what the other issued, and the limits count both together.
/// </summary>
public sealed class SeveralServersTests
{
    // Mid-window for both the sign-in minute and the API's two seconds: nothing rolls over while the clock stands.
    private static readonly DateTimeOffset Frozen = new(2026, 3, 1, 12, 0, 30, TimeSpan.Zero);

    [Fact]
    public async Task Two_servers_hold_the_same_secrets_and_accept_each_others_sign_ins_and_node_credentials()
    {
        await using var database = await OneDatabase.OpenAsync();
        await using var a = await AuthTestHost.StartAsync(services: database.Register);
        await using var b = await AuthTestHost.StartAsync(services: database.Register);

        Assert.NotEqual(a.DataDir, b.DataDir);
        Assert.Equal(a.Secrets.AdminToken, b.Secrets.AdminToken);
        Assert.Equal(a.Secrets.NodeToken, b.Secrets.NodeToken);
        Assert.Equal(a.Secrets.JwtSigningKey, b.Secrets.JwtSigningKey);
        Assert.Equal(a.Secrets.NodeCredentialKey, b.Secrets.NodeCredentialKey);

        // A session begun on one server is good on the other.
        var login = await a.CreateUserAndLoginAsync("alice", Role.User);
        using var onB = b.Client(login.AccessToken);
        Assert.Equal("alice", (await onB.WhoAmIAsync()).Name);

        // A node joins through one server and reports through the other.
        using var joiner = a.Client(a.Secrets.NodeToken);
        var joined = await joiner.JoinNodeAsync("n1");
        using var agentOnB = b.Client(joined.Credential);
        await agentOnB.RegisterNodeAsync(new RegisterNodeRequest
        {
            Name = "n1", Address = "127.0.0.1", AgentUrl = "http://127.0.0.1:9/",
            Capacity = new ResourceAmounts { CpuMillis = 1000, MemoryBytes = 1L << 30 }, PortRange = new PortRange(20000, 20009),
        });
        Assert.Equal(NodeStatus.Ready, (await agentOnB.HeartbeatAsync("n1", new HeartbeatRequest())).Status);
    }

    [Fact]
    public async Task Sign_in_attempts_on_both_servers_count_against_one_limit()
    {
        await using var database = await OneDatabase.OpenAsync(Frozen);
        await using var a = await AuthTestHost.StartAsync(o => o with { SignInAttemptsPerMinute = 3 }, database.Register);
        await using var b = await AuthTestHost.StartAsync(o => o with { SignInAttemptsPerMinute = 3 }, database.Register);
        await a.Admin.CreateUserAsync(new CreateUserRequest { Name = "alice", Password = AuthTestHost.Password, Role = Role.User });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            // Two servers counting apart would let all six through (three each).
            var (status, _, response) = await (i % 2 == 0 ? a : b).SendAsync(HttpMethod.Post, "api/v1/auth/login", null,
                JsonSerializer.Serialize(new { user = "alice", password = "wrong-password-" + i }));
            statuses.Add(status);
            if (status == HttpStatusCode.TooManyRequests) Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            response.Dispose();
        }
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
            HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Requests_to_both_servers_count_against_one_rate_limit()
    {
        await using var database = await OneDatabase.OpenAsync(Frozen);
        // Two requests a second: a burst of four in all.
        await using var a = await AuthTestHost.StartAsync(o => o with { ApiRequestsPerSecond = 2 }, database.Register);
        await using var b = await AuthTestHost.StartAsync(o => o with { ApiRequestsPerSecond = 2 }, database.Register);
        var login = await a.CreateUserAndLoginAsync("alice", Role.User);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            // Two servers counting apart would let all eight through (four each).
            var (status, body, response) = await (i % 2 == 0 ? a : b).SendAsync(HttpMethod.Get, "api/v1/tasks", login.AccessToken);
            statuses.Add(status);
            if (status == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
                Assert.Contains("rate limit of 2 requests per second", body, StringComparison.Ordinal);
            }
            response.Dispose();
        }
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 4), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 4)], statuses);
    }

    [Fact]
    public async Task A_single_servers_data_directory_brings_its_secrets_into_the_store_and_later_servers_adopt_them()
    {
        await using var database = await OneDatabase.OpenAsync();
        // A cluster of one from before: its agents and scripts hold these tokens.
        var existingDir = TempDirectory.NewPath("chas-existing-");
        var existing = ServerSecrets.LoadOrCreate(existingDir);
        // A second machine's directory from a cluster of its own: the store's secrets replace its files.
        var otherDir = TempDirectory.NewPath("chas-other-");
        var other = ServerSecrets.LoadOrCreate(otherDir);

        await using var first = await AuthTestHost.StartAsync(services: database.Register, dataDir: existingDir);
        Assert.Equal(existing.AdminToken, first.Secrets.AdminToken);
        Assert.Equal(existing.JwtSigningKey, first.Secrets.JwtSigningKey);
        var stored = await database.Store.GetAsync(ServerSecrets.StoreKind, ServerSecrets.StoreKey);
        Assert.NotNull(stored);
        Assert.Contains(existing.NodeToken, stored!.Json, StringComparison.Ordinal);

        await using var second = await AuthTestHost.StartAsync(services: database.Register, dataDir: otherDir);
        Assert.NotEqual(other.AdminToken, second.Secrets.AdminToken);
        Assert.Equal(existing.AdminToken, second.Secrets.AdminToken);
        Assert.Equal(existing.NodeToken, second.Secrets.NodeToken);
        Assert.Equal(existing.NodeCredentialKey, second.Secrets.NodeCredentialKey);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(otherDir, "admin-token")));
        using var admin = second.Client(existing.AdminToken);
        Assert.Empty((await admin.ListNodesAsync()).Items);
    }

    [Fact]
    public async Task A_server_that_loses_the_race_to_create_the_secrets_takes_the_winners()
    {
        await using var database = await OneDatabase.OpenAsync();
        using var winnerDir = TempDirectory.Create("chas-winner-");
        using var loserDir = TempDirectory.Create("chas-loser-");
        var winner = await ServerSecrets.LoadOrCreateAsync(winnerDir.Path, database.Store);
        // The loser looked before the winner wrote: it finds nothing, creates, and conflicts.
        var loser = await ServerSecrets.LoadOrCreateAsync(loserDir.Path, new FirstReadMisses(database.Store, ServerSecrets.StoreKind));

        Assert.Equal(winner.AdminToken, loser.AdminToken);
        Assert.Equal(winner.NodeToken, loser.NodeToken);
        Assert.Equal(winner.JwtSigningKey, loser.JwtSigningKey);
        Assert.Equal(winner.NodeCredentialKey, loser.NodeCredentialKey);
        Assert.Equal(winner.AdminToken, ServerSecrets.LoadOrCreate(loserDir.Path).AdminToken);
    }

    [Fact]
    public async Task The_secrets_kind_cannot_be_watched()
    {
        await using var database = await OneDatabase.OpenAsync();
        await using var host = await AuthTestHost.StartAsync(services: database.Register);
        Assert.NotNull(await database.Store.GetAsync(ServerSecrets.StoreKind, ServerSecrets.StoreKey));
        var (status, body, response) = await host.SendAsync(HttpMethod.Get, $"api/v1/watch?kind={ServerSecrets.StoreKind}&since=0", host.Secrets.AdminToken);
        response.Dispose();
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.DoesNotContain(host.Secrets.AdminToken, body, StringComparison.Ordinal);
    }

    /// <summary>A store whose first read of one kind finds nothing: the view of a server that looked just before another wrote.</summary>
    private sealed class FirstReadMisses(IObjectStore inner, string kind) : IObjectStore
    {
        private int _reads;

        public long CurrentRevision => inner.CurrentRevision;

        public Task<StoredObject?> GetAsync(string kind1, string key, CancellationToken cancellationToken = default) =>
            kind1 == kind && Interlocked.Increment(ref _reads) == 1 ? Task.FromResult<StoredObject?>(null) : inner.GetAsync(kind1, key, cancellationToken);

        public Task<StoredList> ListAsync(string kind1, CancellationToken cancellationToken = default) => inner.ListAsync(kind1, cancellationToken);

        public Task<long> CommitAsync(IReadOnlyList<WriteOp> writes, CancellationToken cancellationToken = default) => inner.CommitAsync(writes, cancellationToken);

        public IAsyncEnumerable<ChangeEvent> WatchAsync(IReadOnlySet<string>? kinds, long sinceRevision, CancellationToken cancellationToken = default) =>
            inner.WatchAsync(kinds, sinceRevision, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
