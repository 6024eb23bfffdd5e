using Npgsql;

namespace Chas.Store.Postgres;

/// <summary>
/// Turns what an operator writes into an Npgsql connection string. Accepts Npgsql's key=value form as it is,
/// and the libpq URI form <c>postgres[ql]://[user[:password]@]host[:port][/database][?param=value&amp;…]</c>
/// (user, password and database percent-decoded; <c>sslmode</c>, <c>application_name</c>,
/// <c>connect_timeout</c> and any other Npgsql keyword as query parameters).
/// </summary>
public static class PostgresConnectionString
{
    public static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var trimmed = connectionString.Trim();
        if (!trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            && !trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new NpgsqlConnectionStringBuilder(trimmed);
        }

        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri))
        {
            throw new FormatException("the PostgreSQL URI is malformed; expected postgres://user:password@host:port/database");
        }

        var builder = new NpgsqlConnectionStringBuilder();
        if (!string.IsNullOrEmpty(uri.Host))
        {
            // IPv6 literals come bracketed; Npgsql wants the bare address.
            builder.Host = uri.Host.Trim('[', ']');
        }
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var colon = uri.UserInfo.IndexOf(':');
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = uri.AbsolutePath.TrimStart('/');
        if (database.Length > 0)
        {
            builder.Database = Uri.UnescapeDataString(database);
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            builder[KeywordFor(name)] = value;
        }
        return builder;
    }

    // libpq's parameter names where they differ from Npgsql's keywords.
    private static string KeywordFor(string name) => name.ToLowerInvariant() switch
    {
        "sslmode" => "SSL Mode",
        "application_name" => "Application Name",
        "connect_timeout" => "Timeout",
        "user" => "Username",
        "dbname" => "Database",
        "sslrootcert" => "Root Certificate",
        "sslcert" => "SSL Certificate",
        "sslkey" => "SSL Key",
        "target_session_attrs" => "Target Session Attributes",
        "options" => "Options",
        _ => name,
    };
}
