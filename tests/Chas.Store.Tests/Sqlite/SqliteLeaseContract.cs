using Chas.Store.ContractTests;

namespace Chas.Store.Tests.Sqlite;

/// <summary>The lease contract, run against <see cref="Chas.Store.Sqlite.SqliteObjectStore"/> on a fake clock.</summary>
public sealed class SqliteLeaseContract : LeaseStoreContractTests
{
    protected override async Task<IStoreUnderTest> CreateStoreAsync(StoreContractSettings settings) =>
        await TempSqliteStore.CreateAsync(settings);
}

/// <summary>The fenced-commit contract, run against <see cref="Chas.Store.Sqlite.SqliteObjectStore"/> on a fake clock.</summary>
public sealed class SqliteFencedCommitContract : FencedCommitContractTests
{
    protected override async Task<IStoreUnderTest> CreateStoreAsync(StoreContractSettings settings) =>
        await TempSqliteStore.CreateAsync(settings);
}
