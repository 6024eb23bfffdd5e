using System.CommandLine;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>`chas user create|ls|rm|set-role`: accounts, managed by an admin.</summary>
internal static class UserCommands
{
    public static Command Create()
    {
        var createName = new Argument<string>("name") { Description = "User name" };
        var role = new Option<string>("--role") { Description = "viewer, user (default), operator or admin", DefaultValueFactory = _ => "user" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from stdin (one line)" };
        var create = new Command("create", "Create a user (and their personal namespace)") { createName, role, passwordStdin };
        create.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var wanted = ParseRole(parse.GetValue(role)!, "--role");
            var password = AuthCommands.ReadPassword(parse.GetValue(passwordStdin), Console.In);
            var user = await client.CreateUserAsync(new CreateUserRequest { Name = parse.GetValue(createName), Password = password, Role = wanted }, token);
            Console.Out.WriteLine($"{user.Name} created (role {user.Role.ToWire()}, namespace {user.Namespace})");
            return 0;
        }, ct));

        var output = OutputFormat.CreateOption();
        var ls = new Command("ls", "List users") { output };
        ls.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var users = await client.ListUsersAsync(token);
            if (OutputFormat.IsStructured(parse.GetValue(output)))
            {
                OutputFormat.Write(parse.GetValue(output), users);
                return 0;
            }
            TableWriter.Write(Console.Out, ["NAME", "ROLE", "NAMESPACE", "AGE"], users.Select(u => (IReadOnlyList<string>)
                [u.Name, u.Role.ToWire(), string.IsNullOrEmpty(u.Namespace) ? "-" : u.Namespace, OutputFormat.Age(u.CreatedAt)]));
            return 0;
        }, ct));

        var rmName = new Argument<string>("name") { Description = "User name" };
        var rm = new Command("rm", "Remove a user (their sessions and tokens stop working)") { rmName };
        rm.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var n = parse.GetValue(rmName)!;
            await WithSuggestionAsync(client, n, async () => { await client.DeleteUserAsync(n, token); return true; }, token);
            Console.Out.WriteLine(n);
            return 0;
        }, ct));

        var setName = new Argument<string>("name") { Description = "User name" };
        var setRole = new Argument<string>("role") { Description = "viewer, user, operator or admin" };
        var set = new Command("set-role", "Change a user's role") { setName, setRole };
        set.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var n = parse.GetValue(setName)!;
            var wanted = ParseRole(parse.GetValue(setRole)!, "role");
            var user = await WithSuggestionAsync(client, n, () => client.SetUserRoleAsync(n, wanted, token), token);
            Console.Out.WriteLine($"{user.Name}: role {user.Role.ToWire()}");
            return 0;
        }, ct));

        return new Command("user", "Manage users (admin)") { create, ls, rm, set };
    }

    /// <summary>"viewer", "user", "operator" or "admin"; anything else names the flag and the choices.</summary>
    public static Role ParseRole(string text, string what) =>
        Roles.TryParse(text.Trim(), out var role) ? role
            : throw new CliException($"{what}: '{text}' is not a role (use viewer, user, operator or admin)");

    private static async Task<T> WithSuggestionAsync<T>(ChasClient client, string name, Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
        {
            var suggestion = Suggestions.Closest(name, (await client.ListUsersAsync(ct)).Select(u => u.Name));
            throw new CliException(suggestion is null ? $"no such user '{name}'" : $"no such user '{name}' — did you mean '{suggestion}'?");
        }
    }
}
