using Chas.Store.ContractTests;

namespace Chas.Store.Tests.Sqlite;

/// <summary>The store contract, run against <see cref="Chas.Store.Sqlite.SqliteObjectStore"/> in a temporary directory.</summary>
public sealed class SqliteObjectStoreContract : ObjectStoreContractTests
{
    protected override async Task<IStoreUnderTest> CreateStoreAsync(StoreContractSettings settings) =>
        await TempSqliteStore.CreateAsync(settings);
}
