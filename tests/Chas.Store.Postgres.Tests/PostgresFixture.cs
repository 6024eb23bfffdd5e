namespace Chas.Store.Postgres.Tests;

/// <summary>One private PostgreSQL server per test class (an xunit class fixture); each test takes a fresh database on it.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A new empty database; its connection string.</summary>
    public async Task<string> NewDatabaseAsync() => Server.ConnectionStringFor(await Server.CreateDatabaseAsync());

    /// <summary>Options for a new empty database, adjusted by <paramref name="configure"/>.</summary>
    public async Task<PostgresStoreOptions> NewOptionsAsync(Func<PostgresStoreOptions, PostgresStoreOptions>? configure = null)
    {
        var options = new PostgresStoreOptions { ConnectionString = await NewDatabaseAsync() };
        return configure?.Invoke(options) ?? options;
    }
}
