namespace Chas.Store.Postgres.Tests;

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void A_uri_becomes_npgsql_settings_with_percent_decoding()
    {
        var builder = PostgresConnectionString.Parse("postgres://chas:p%40ss%3Aword@db.example:6543/chas%2Dprod?sslmode=require&application_name=chas+server");

        Assert.Equal(("db.example", 6543, "chas", "p@ss:word", "chas-prod"),
            (builder.Host, builder.Port, builder.Username, builder.Password, builder.Database));
        Assert.Equal(Npgsql.SslMode.Require, builder.SslMode);
        Assert.Equal("chas server", builder.ApplicationName);
    }

    [Fact]
    public void A_uri_without_port_user_or_database_keeps_npgsqls_defaults()
    {
        var builder = PostgresConnectionString.Parse("postgresql://localhost");

        Assert.Equal(("localhost", 5432, null, null), (builder.Host, builder.Port, builder.Username, builder.Database));
    }

    [Fact]
    public void The_key_value_form_is_taken_as_it_is()
    {
        var builder = PostgresConnectionString.Parse("Host=127.0.0.1;Port=5433;Database=chas;Username=u;Password=p");

        Assert.Equal(("127.0.0.1", 5433, "chas", "u", "p"), (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password));
    }

    [Fact]
    public void A_malformed_uri_is_refused()
    {
        Assert.ThrowsAny<Exception>(() => PostgresConnectionString.Parse("postgres://user@host:notaport/db"));
    }
}
