using System.CommandLine;
using Chas.Cli;

namespace Chas.Commands;

/// <summary>`chas token create|ls|revoke`: API tokens for scripts, acting as the user who made them.</summary>
internal static class TokenCommands
{
    public static Command Create()
    {
        var expires = new Option<string?>("--expires") { Description = "Lifetime, e.g. 12h or 30d (default: does not expire)" };
        var description = new Option<string?>("--description") { Description = "What the token is for" };
        var create = new Command("create", "Create an API token; prints it once, alone on stdout") { expires, description };
        create.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var lifetime = parse.GetValue(expires) is { } e ? Durations.Parse(e, "--expires") : (TimeSpan?)null;
            if (lifetime == TimeSpan.Zero) throw new CliException("--expires: must be longer than 0 (leave it out for a token that does not expire)");
            var created = await client.CreateTokenAsync(new Contracts.CreateTokenRequest { Description = parse.GetValue(description), ExpiresInSeconds = lifetime?.TotalSeconds }, token);
            Console.Out.WriteLine(created.Token);
            Console.Error.WriteLine($"token {created.Id} created{(created.ExpiresAt is { } at ? $", expires {Timestamp(at)}" : "")}; it is shown only this once: "
                + "use it as CHAS_TOKEN or as 'Authorization: Bearer TOKEN'; `chas token revoke " + created.Id + "` ends it");
            return 0;
        }, ct));

        var output = OutputFormat.CreateOption();
        var ls = new Command("ls", "List your API tokens (never their secrets)") { output };
        ls.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var tokens = await client.ListTokensAsync(token);
            if (OutputFormat.IsStructured(parse.GetValue(output)))
            {
                OutputFormat.Write(parse.GetValue(output), tokens);
                return 0;
            }
            TableWriter.Write(Console.Out, ["ID", "DESCRIPTION", "AGE", "EXPIRES"], tokens.Select(t => (IReadOnlyList<string>)
                [t.Id, t.Description ?? "-", OutputFormat.Age(t.CreatedAt), t.ExpiresAt is { } at ? Timestamp(at) : "never"]));
            return 0;
        }, ct));

        var id = new Argument<string>("id") { Description = "Token id (from `chas token ls`)" };
        var revoke = new Command("revoke", "Revoke an API token: it stops working at once") { id };
        revoke.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            await client.DeleteTokenAsync(parse.GetValue(id)!, token);
            Console.Out.WriteLine(parse.GetValue(id));
            return 0;
        }, ct));

        return new Command("token", "Manage your API tokens") { create, ls, revoke };
    }

    /// <summary>"2025-01-31T12:00:00Z": UTC to the second, unambiguous in a table.</summary>
    public static string Timestamp(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
