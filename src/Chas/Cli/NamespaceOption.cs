using System.CommandLine;
using Chas.Client;

namespace Chas.Cli;

/// <summary>
/// `-n/--namespace` and `-A/--all-namespaces`, shared by every verb about workloads, and the way such a
/// verb opens its connection so the namespace reaches every request it makes.
/// </summary>
internal static class NamespaceOption
{
    public const string Help = "Namespace (default: the context's, else your home namespace)";

    public static Option<string?> Create() => new("--namespace", "-n") { Description = Help };

    /// <summary>For verbs where -n already means something else (`logs -n` is --tail).</summary>
    public static Option<string?> CreateLongOnly() => new("--namespace") { Description = Help };

    public static Option<bool> CreateAll() => new("--all-namespaces", "-A") { Description = "Every namespace you can see (lists show a NAMESPACE column)" };

    /// <summary>Opens the connection in the namespace the flags choose and runs <paramref name="action"/> as <see cref="CliRunner"/> does.</summary>
    public static Task<int> WithClientAsync(ParseResult parse, Option<string?> ns, Func<ChasClient, CancellationToken, Task<int>> action, CancellationToken ct) =>
        WithClientAsync(parse, ns, null, action, ct);

    /// <summary>With -A the namespace is dropped (also the context's): the server lists every namespace the caller can see.</summary>
    public static Task<int> WithClientAsync(ParseResult parse, Option<string?> ns, Option<bool>? all, Func<ChasClient, CancellationToken, Task<int>> action, CancellationToken ct) =>
        CliRunner.RunAsync(async token =>
        {
            var chosen = Validate(parse.GetValue(ns));
            var everywhere = all is not null && parse.GetValue(all);
            if (everywhere && chosen is not null) throw new CliException("give -n/--namespace or -A/--all-namespaces, not both");
            using var client = await Connection.OpenAsync(chosen, token);
            if (everywhere) client.Namespace = null;
            return await action(client, token);
        }, ct);

    private static string? Validate(string? ns) =>
        ns is null || Contracts.Validate.IsDns1123Label(ns) ? ns
            : throw new CliException($"--namespace: '{ns}' is not a namespace name (lowercase letters, digits and '-')");
}
