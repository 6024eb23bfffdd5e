using Chas.Store.Postgres;

namespace Chas.Cli;

/// <summary>What `--store` and `--to` accept, checked before anything starts, and how the server names its store without the password.</summary>
internal static class StoreUrls
{
    /// <summary>Null when <paramref name="value"/> is a PostgreSQL connection string; else what is wrong with it.</summary>
    public static string? Problem(string value)
    {
        var trimmed = value.Trim();
        var uri = trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);
        if (!uri && !trimmed.Contains('=', StringComparison.Ordinal))
            return $"'{value}' is not a PostgreSQL URL (postgres://user:password@host:5432/db) or key=value connection string";
        try
        {
            var builder = PostgresConnectionString.Parse(trimmed);
            return string.IsNullOrEmpty(builder.Host) ? "the connection string names no host" : null;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return ex.Message;
        }
    }

    /// <summary>"postgres host:port/db" or "sqlite PATH", never the password.</summary>
    public static string Describe(string? store, string sqlitePath)
    {
        if (store is null) return $"sqlite {sqlitePath}";
        var builder = PostgresConnectionString.Parse(store);
        return $"postgres {builder.Host}:{builder.Port}/{builder.Database}";
    }
}
