namespace Chas.Store.Postgres;

/// <summary>The kinds the database holds, so that `chas admin migrate` can copy a whole store into it and check it.</summary>
public sealed partial class PostgresObjectStore : IStoreKinds
{
    public Task<IReadOnlyList<string>> ListKindsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<string>>("list kinds", async () =>
        {
            // COLLATE "C" compares bytes, which is ordinal for UTF-8, whatever the database's own collation.
            await using var command = _dataSource.CreateCommand("SELECT DISTINCT kind COLLATE \"C\" AS kind FROM objects ORDER BY 1");
            var kinds = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                kinds.Add(reader.GetString(0));
            }
            return kinds;
        });
}
