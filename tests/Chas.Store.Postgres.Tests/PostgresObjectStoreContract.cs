using Chas.Store.ContractTests;

namespace Chas.Store.Postgres.Tests;

/// <summary>The store contract, run against <see cref="PostgresObjectStore"/> on a fresh database per test.</summary>
public sealed class PostgresObjectStoreContract(PostgresFixture postgres) : ObjectStoreContractTests, IClassFixture<PostgresFixture>
{
    protected override async Task<IStoreUnderTest> CreateStoreAsync(StoreContractSettings settings) =>
        await TempPostgresStore.CreateAsync(postgres.Server, settings);
}

/// <summary>The watch contract, run against <see cref="PostgresObjectStore"/> on a fresh database per test.</summary>
public sealed class PostgresObjectStoreWatchContract(PostgresFixture postgres) : ObjectStoreWatchContractTests, IClassFixture<PostgresFixture>
{
    protected override async Task<IStoreUnderTest> CreateStoreAsync(StoreContractSettings settings) =>
        await TempPostgresStore.CreateAsync(postgres.Server, settings);
}
