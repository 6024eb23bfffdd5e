namespace Chas.Store.Sqlite;

public sealed partial class SqliteObjectStore : IStoreKinds
{
    public async Task<IReadOnlyList<string>> ListKindsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT kind FROM objects ORDER BY kind";
        var kinds = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            kinds.Add(reader.GetString(0));
        }
        // SQLite's ORDER BY compares by bytes (BINARY collation), which is ordinal for UTF-8.
        return kinds;
    }
}
