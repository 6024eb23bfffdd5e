using Chas.Store.Sqlite;
using Microsoft.Data.Sqlite;

namespace Chas.Store.Tests.Sqlite;

/// <summary>
/// What only the SQLite engine has: its schema migrations and its file. What every engine must do is in
/// the contract suite (<see cref="SqliteObjectStoreContract"/>, <see cref="SqliteObjectStoreWatchContract"/>).
/// </summary>
public sealed class SqliteObjectStoreTests
{
    [Fact]
    public async Task Data_survives_reopening_and_migrations_run_once()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        await temp.Store.CommitAsync([WriteOp.Create("node", "n1", "{\"v\":1}")]);
        var last = await temp.Store.CommitAsync([WriteOp.Create("node", "n2", "{\"v\":2}")]);

        await temp.ReopenAsync();
        await temp.ReopenAsync();

        Assert.Equal(last, temp.Store.CurrentRevision);
        Assert.Equal(new StoredObject("node", "n1", 1, "{\"v\":1}"), await temp.Store.GetAsync("node", "n1"));
        await temp.Store.DisposeAsync();
        Assert.Equal(SqliteMigrations.All.Select(migration => (long)migration.Version), ReadAppliedMigrations(temp.DatabasePath));
    }

    [Fact]
    public void Migration_versions_are_ascending_without_gaps()
    {
        Assert.Equal(Enumerable.Range(1, SqliteMigrations.All.Count), SqliteMigrations.All.Select(migration => migration.Version));
    }

    private static List<long> ReadAppliedMigrations(string databasePath)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_migrations ORDER BY version";
        using var reader = command.ExecuteReader();
        var versions = new List<long>();
        while (reader.Read())
        {
            versions.Add(reader.GetInt64(0));
        }
        return versions;
    }
}
