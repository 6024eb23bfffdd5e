using System.Net;
using System.Text.Json;
using Chas.Contracts;
using Chas.Server.Hosting;
using Chas.Store;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Server.Tests;

/// <summary>The database behind the store gone: every request answers 503 problem details with Retry-After, never a 500; back, it serves again.</summary>
public sealed class StoreUnavailableTests
{
    [Fact]
    public async Task Requests_while_the_database_is_unreachable_answer_503_with_Retry_After_and_readyz_says_not_ready()
    {
        await using var database = await OneDatabase.OpenAsync();
        var store = new SwitchableStore(database.Store);
        await using var host = await AuthTestHost.StartAsync(services: s => s.AddSingleton<IObjectStore>(store));
        var login = await host.CreateUserAndLoginAsync("alice", Role.User);
        var task = JsonSerializer.Serialize(new { name = "web", image = "busybox" });
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(host, HttpMethod.Get, "readyz", null)).Status);

        store.Unreachable = true;
        foreach (var (method, path, token, json) in new (HttpMethod, string, string?, string?)[]
                 {
                     (HttpMethod.Get, "api/v1/tasks", host.Secrets.AdminToken, null),
                     (HttpMethod.Post, "api/v1/tasks", host.Secrets.AdminToken, task),
                     // The session is looked up in the store while the caller is authenticated.
                     (HttpMethod.Get, "api/v1/tasks", login.AccessToken, null),
                     (HttpMethod.Post, "api/v1/auth/login", null, JsonSerializer.Serialize(new { user = "alice", password = AuthTestHost.Password })),
                 })
        {
            var (status, body, retryAfter, mediaType) = await SendAsync(host, method, path, token, json);
            Assert.True(status == HttpStatusCode.ServiceUnavailable, $"{method} {path}: {(int)status} {body}");
            Assert.Equal("application/problem+json", mediaType);
            Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
            using var problem = JsonDocument.Parse(body);
            Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Equal(ApiExceptionHandler.DatabaseUnreachableTitle, problem.RootElement.GetProperty("title").GetString());
        }
        var ready = await SendAsync(host, HttpMethod.Get, "readyz", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal(TimeSpan.FromSeconds(1), ready.RetryAfter);
        // Liveness stays: the process serves, only its database is gone.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(host, HttpMethod.Get, "healthz", null)).Status);

        store.Unreachable = false;
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(host, HttpMethod.Get, "readyz", null)).Status);
        // The audit entries of the refused writes waited for the database instead of ending the server.
        await Eventually.WaitAsync(() => host.Admin.ListAuditAsync(), entries => entries.Any(e => e is { Method: "POST", Path: "/api/v1/tasks" }),
            "the audit entry of the POST refused while the database was gone");
        Assert.False(host.App.Lifetime.ApplicationStopping.IsCancellationRequested);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(host, HttpMethod.Post, "api/v1/tasks", host.Secrets.AdminToken, task)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(host, HttpMethod.Get, "api/v1/tasks", login.AccessToken)).Status);
    }

    [Fact]
    public async Task Shared_counters_that_cannot_be_reached_answer_503_too()
    {
        await using var database = await OneDatabase.OpenAsync();
        var counters = new SwitchableCounters(database.Counters);
        await using var host = await AuthTestHost.StartAsync(services: s =>
        {
            database.Register(s);
            s.AddSingleton<ISharedCounters>(counters);
        });
        var login = await host.CreateUserAndLoginAsync("alice", Role.User);

        counters.Unreachable = true;
        // The rate limit counts every request of a user; the sign-in throttle every attempt.
        var limited = await SendAsync(host, HttpMethod.Get, "api/v1/tasks", login.AccessToken);
        var signIn = await SendAsync(host, HttpMethod.Post, "api/v1/auth/login", null,
            JsonSerializer.Serialize(new { user = "alice", password = AuthTestHost.Password }));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(1)), (limited.Status, limited.RetryAfter));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(1)), (signIn.Status, signIn.RetryAfter));

        counters.Unreachable = false;
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(host, HttpMethod.Get, "api/v1/tasks", login.AccessToken)).Status);
    }

    private static async Task<(HttpStatusCode Status, string Body, TimeSpan? RetryAfter, string? MediaType)> SendAsync(
        AuthTestHost host, HttpMethod method, string path, string? token, string? json = null)
    {
        var (status, body, response) = await host.SendAsync(method, path, token, json);
        using (response)
            return (status, body, response.Headers.RetryAfter?.Delta, response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The real store, or, while <see cref="Unreachable"/>, one whose database is gone: every call throws as a lost connection does.</summary>
    private sealed class SwitchableStore(IObjectStore inner) : IObjectStore
    {
        public volatile bool Unreachable;

        public long CurrentRevision => inner.CurrentRevision;

        public Task<StoredObject?> GetAsync(string kind, string key, CancellationToken cancellationToken = default) =>
            Unreachable ? Task.FromException<StoredObject?>(Gone()) : inner.GetAsync(kind, key, cancellationToken);

        public Task<StoredList> ListAsync(string kind, CancellationToken cancellationToken = default) =>
            Unreachable ? Task.FromException<StoredList>(Gone()) : inner.ListAsync(kind, cancellationToken);

        public Task<long> CommitAsync(IReadOnlyList<WriteOp> writes, CancellationToken cancellationToken = default) =>
            Unreachable ? Task.FromException<long>(Gone()) : inner.CommitAsync(writes, cancellationToken);

        // Watches already open stay: the tests are about requests.
        public IAsyncEnumerable<ChangeEvent> WatchAsync(IReadOnlySet<string>? kinds, long sinceRevision, CancellationToken cancellationToken = default) =>
            inner.WatchAsync(kinds, sinceRevision, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class SwitchableCounters(ISharedCounters inner) : ISharedCounters
    {
        public volatile bool Unreachable;

        public Task<long> AddAsync(string key, DateTimeOffset windowStart, TimeSpan window, long amount = 1, CancellationToken cancellationToken = default) =>
            Unreachable ? Task.FromException<long>(Gone()) : inner.AddAsync(key, windowStart, window, amount, cancellationToken);
    }

    private static StoreUnavailableException Gone() => new("connection refused (the test's database is down)");
}
