using System.CommandLine;
using System.Net;
using System.Security.Authentication;
using System.Text;
using Chas.Cli;
using Chas.Client;
using Chas.Client.Failover;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>`chas login|logout|whoami|signup`: a session per server, kept in a context of the configuration file.</summary>
internal static class AuthCommands
{
    public static Command Login()
    {
        var server = new Option<string>("--server") { Description = "Server URL, e.g. https://chas.example.com:8080; several of one cluster separated by commas", Required = true };
        var user = new Option<string>("--user", "-u") { Description = "User name", Required = true };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from stdin (one line)" };
        var context = new Option<string?>("--context") { Description = "Name of the context to keep the session in (default: the server's host:port)" };
        var fingerprint = new Option<string?>("--ca-fingerprint") { Description = "Trust the server's own CA if its fingerprint is this (sha256:…, printed by the server)" };
        var cmd = new Command("login", "Sign in to a server; the session is kept in a context and refreshed silently") { server, user, passwordStdin, context, fingerprint };
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(async token =>
        {
            var uri = Connection.ParseServers(parse.GetValue(server)!);
            var password = ReadPassword(parse.GetValue(passwordStdin), Console.In);
            var ca = await TrustAsync(uri, parse.GetValue(context), parse.GetValue(fingerprint), token);
            await SignInAsync(uri, parse.GetValue(user)!, password, parse.GetValue(context), ca, token);
            return 0;
        }, ct));
        return cmd;
    }

    public static Command Signup()
    {
        var server = new Option<string>("--server") { Description = "Server URL; several of one cluster separated by commas", Required = true };
        var invite = new Option<string>("--invite") { Description = "Invitation code (from `chas invite create`)", Required = true };
        var user = new Option<string>("--user", "-u") { Description = "User name to create", Required = true };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from stdin (one line)" };
        var context = new Option<string?>("--context") { Description = "Name of the context to keep the session in (default: the server's host:port)" };
        var fingerprint = new Option<string?>("--ca-fingerprint") { Description = "Trust the server's own CA if its fingerprint is this (sha256:…)" };
        var cmd = new Command("signup", "Create an account with an invitation code, then sign in") { server, invite, user, passwordStdin, context, fingerprint };
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(async token =>
        {
            var uri = Connection.ParseServers(parse.GetValue(server)!);
            var name = parse.GetValue(user)!;
            var password = ReadPassword(parse.GetValue(passwordStdin), Console.In);
            var ca = await TrustAsync(uri, parse.GetValue(context), parse.GetValue(fingerprint), token);
            using (var client = new ChasClient(uri, null, Connection.HandlerFor(ca)))
                await client.SignupAsync(name, password, parse.GetValue(invite)!, token);
            await SignInAsync(uri, name, password, parse.GetValue(context), ca, token);
            return 0;
        }, ct));
        return cmd;
    }

    public static Command Logout()
    {
        var cmd = new Command("logout", "End the session of the current context (revoked on the server) and forget its tokens");
        cmd.SetAction((_, ct) => CliRunner.RunAsync(async token =>
        {
            var path = CliConfig.DefaultPath();
            var config = CliConfig.Load(path);
            if (config.CurrentContext is not { } name || !config.Contexts.TryGetValue(name, out var context))
                throw new CliException("not signed in: no current context");
            if (context.RefreshToken is not null) await RevokeAsync(path, name, context, token);

            // Connection may have refreshed (and saved) on the way: clear what is saved now.
            config = CliConfig.Load(path);
            var current = config.Contexts.GetValueOrDefault(name) ?? context;
            config.WithContext(name, current with { Token = null, RefreshToken = null, TokenExpiresAt = null }, makeCurrent: false).Save(path);
            Console.Out.WriteLine($"signed out of {Connection.Display(current.Server)}{(current.User is { } u ? $" ({u})" : "")}");
            return 0;
        }, ct));
        return cmd;
    }

    public static Command WhoAmI()
    {
        var output = OutputFormat.CreateOption();
        var cmd = new Command("whoami", "Show who the server takes you for: name, role, namespaces") { output };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var me = await client.WhoAmIAsync(token);
            if (OutputFormat.IsStructured(parse.GetValue(output)))
            {
                OutputFormat.Write(parse.GetValue(output), me);
                return 0;
            }
            TableWriter.Write(Console.Out, ["FIELD", "VALUE"],
            [
                ["name", me.Name], ["kind", me.Kind], ["role", me.Role?.ToWire() ?? "-"], ["namespace", me.Namespace ?? "-"],
                ["member of", me.Namespaces.Count == 0 ? "-" : string.Join(", ", me.Namespaces.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => $"{n.Key} ({n.Value.ToWire()})"))],
                ["server", client.Server.ToString().TrimEnd('/')],
            ]);
            return 0;
        }, ct));
        return cmd;
    }

    /// <summary>With --password-stdin: the first line of <paramref name="stdin"/>. Without: a prompt that does not echo, when a terminal is attached.</summary>
    /// <remarks>Passwords never come as arguments: they would sit in shell history and in `ps`.</remarks>
    public static string ReadPassword(bool fromStdin, TextReader stdin)
    {
        if (fromStdin)
        {
            var line = stdin.ReadLine()?.TrimEnd('\r');
            return string.IsNullOrEmpty(line) ? throw new CliException("--password-stdin: no password on stdin (one line)") : line;
        }
        if (Console.IsInputRedirected)
            throw new CliException("give the password on stdin with --password-stdin (e.g. `... --password-stdin < password-file`)");
        Console.Error.Write("Password: ");
        var password = new StringBuilder();
        while (Console.ReadKey(intercept: true) is var key && key.Key != ConsoleKey.Enter)
        {
            if (key.Key == ConsoleKey.Backspace) password.Length = Math.Max(0, password.Length - 1);
            else if (!char.IsControl(key.KeyChar)) password.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return password.Length > 0 ? password.ToString() : throw new CliException("no password given");
    }

    /// <summary>"host:port", the default name of a server's context.</summary>
    public static string ContextName(Uri server) => $"{server.Host}:{server.Port}";

    /// <summary>"host:port" of the first server.</summary>
    public static string ContextName(ServerEndpoints servers) => ContextName(servers.Primary);

    /// <summary>Signs in and keeps the session (and the CA to trust) in the context, made current.</summary>
    private static async Task SignInAsync(ServerEndpoints server, string user, string password, string? contextName, string? ca, CancellationToken ct)
    {
        LoginResponse login;
        using (var client = new ChasClient(server, null, Connection.HandlerFor(ca)))
        {
            try
            {
                login = await client.LoginAsync(user, password, ct);
            }
            catch (ChasApiException ex) when (ex.Status == HttpStatusCode.Unauthorized)
            {
                throw new CliException($"sign-in to {Display(server)} failed: wrong user name or password");
            }
        }

        var path = CliConfig.DefaultPath();
        var name = contextName ?? ContextName(server);
        var entry = new CliContextEntry
        {
            Server = Display(server),
            Token = login.AccessToken,
            RefreshToken = login.RefreshToken,
            TokenExpiresAt = login.AccessTokenExpiresAt,
            User = login.User,
            Namespace = string.IsNullOrEmpty(login.Namespace) ? null : login.Namespace,
            CertificateAuthority = ca,
        };
        CliConfig.Load(path).WithContext(name, entry, makeCurrent: true).Save(path);
        Console.Out.WriteLine($"signed in to {Display(server)} as {login.User} (role {login.Role.ToWire()}, namespace {(string.IsNullOrEmpty(login.Namespace) ? "-" : login.Namespace)})");
    }

    /// <summary>The CA to trust: fetched and checked against --ca-fingerprint, else the one the context already keeps for this server.</summary>
    private static async Task<string?> TrustAsync(ServerEndpoints servers, string? contextName, string? fingerprint, CancellationToken ct)
    {
        if (fingerprint is null)
        {
            var existing = CliConfig.Load(CliConfig.DefaultPath()).Contexts.GetValueOrDefault(contextName ?? ContextName(servers));
            return existing is not null && ServerEndpoints.TryParse(existing.Server, out var known, out _) && known.ToString() == servers.ToString()
                ? existing.CertificateAuthority : null;
        }
        // The servers of one cluster share its CA: the first that answers hands it out.
        for (var i = 0; ; i++)
        {
            try
            {
                return await ChasClientTls.FetchCaAsync(servers[i], fingerprint, ct);
            }
            catch (AuthenticationException ex)
            {
                throw new CliException(ex.Message);
            }
            catch (HttpRequestException) when (i < servers.Count - 1)
            {
                // Dead: ask the next one.
            }
        }
    }

    /// <summary>Revokes the session; an unreachable server or a refused request only warns: signing out locally still happens.</summary>
    private static async Task RevokeAsync(string path, string name, CliContextEntry context, CancellationToken ct)
    {
        try
        {
            using var client = await Connection.OpenAsync(null, ct);
            // Opening may have refreshed: the session's refresh token is the one saved now.
            var refresh = CliConfig.Load(path).Contexts.GetValueOrDefault(name)?.RefreshToken ?? context.RefreshToken!;
            await client.LogoutAsync(refresh, ct);
        }
        catch (CliException)
        {
            // The session had already expired: nothing left to revoke.
        }
        catch (ChasApiException ex) when (ex.Status == HttpStatusCode.Unauthorized)
        {
            // Already revoked or expired on the server.
        }
        catch (Exception ex) when (ex is HttpRequestException or ChasApiException or AuthenticationException or IOException)
        {
            Console.Error.WriteLine($"warning: could not revoke the session on {Connection.Display(context.Server)} ({ex.Message}); signed out locally only");
        }
    }

    private static string Display(ServerEndpoints servers) => servers.ToString();
}
