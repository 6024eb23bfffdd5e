using Chas.Store;
using Chas.Store.Sqlite;
using Chas.Testing.TempData;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Server.Tests;

/// <summary>
/// What several servers on one database share, for in-process servers: one store object and one set of counters
/// (what PostgreSQL gives several processes), registered into each server with <see cref="Register"/>; optionally
/// one fake clock, so that rate windows stand still while a test counts.
/// </summary>
public sealed class OneDatabase : IAsyncDisposable
{
    private readonly string _directory;

    private OneDatabase(string directory, IObjectStore store, TimeProvider time)
    {
        _directory = directory;
        Store = store;
        Time = time;
        Counters = new InMemorySharedCounters(time);
    }

    public IObjectStore Store { get; }
    public ISharedCounters Counters { get; }
    public TimeProvider Time { get; }

    /// <param name="frozenAt">When given, every server runs on one fake clock standing at this instant.</param>
    public static async Task<OneDatabase> OpenAsync(DateTimeOffset? frozenAt = null)
    {
        var path = TempDirectory.NewPath("chas-one-database-");
        var store = await SqliteObjectStore.OpenAsync(new SqliteStoreOptions { DatabasePath = Path.Combine(path, "chas.db") });
        TimeProvider time = frozenAt is { } at ? new FakeTimeProvider(at) : TimeProvider.System;
        return new OneDatabase(path, store, time);
    }

    /// <summary>Registers the shared parts into a server, after its own (so they win); the server does not dispose them.</summary>
    public void Register(IServiceCollection services)
    {
        services.AddSingleton(Store);
        // The store's leases as well, or each server would elect itself on a lease store of its own data directory.
        if (Store is ILeaseStore leases) services.AddSingleton(leases);
        services.AddSingleton(Counters);
        if (Time is FakeTimeProvider) services.AddSingleton(Time);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        TempDirectory.TryDelete(_directory);
    }
}
