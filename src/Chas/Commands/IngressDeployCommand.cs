using System.CommandLine;
using System.Net;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>
/// `chas ingress deploy`: the cluster's ingress run by the cluster itself, as a system deployment in the
/// <see cref="Namespace"/> namespace: one `chas ingress` on every node matching the selector, placed,
/// restarted and upgraded (node by node) by CHaS like any other deployment.
/// </summary>
internal static class IngressDeployCommand
{
    /// <summary>Reserved as a user name, so it is never somebody's personal namespace.</summary>
    public const string Namespace = "system";
    /// <summary>The port `chas ingress` listens on inside its container; the node's host port is published to it.</summary>
    public const int ContainerPort = 8000;

    public static Command Create()
    {
        var image = new Option<string>("--image") { Description = "An image with the chas executable on its PATH", Required = true };
        var server = new Option<string>("--server") { Description = "The server's URL as the ingress containers reach it (not 127.0.0.1)", Required = true };
        var token = new Option<string?>("--token") { Description = "A token that may list and watch: the admin token or an admin's API token" };
        var tokenFile = new Option<string?>("--token-file") { Description = "Read the token from this file" };
        var selector = new Option<string[]>("--selector") { Description = "Only nodes with this label k=v, e.g. role=edge (repeatable; default: every node)" };
        var port = new Option<int>("--port") { Description = "Host port traffic arrives on, on every such node (within the nodes' port range)", DefaultValueFactory = _ => 28000 }.AsPort();
        var domain = new Option<string>("--domain") { Description = "Deployments answer at <name>.<namespace>.<domain>", DefaultValueFactory = _ => "localhost" };
        var gateway = new Option<bool>("--gateway") { Description = "Also forward /api/ and /ui/ to the server" };
        var name = new Option<string>("--name") { Description = "The deployment's name", DefaultValueFactory = _ => "ingress" };
        var cmd = new Command("deploy", $"Run the ingress on every matching node as a system deployment in namespace {Namespace} (rolling upgrades: apply again with a new --image)")
            { image, server, token, tokenFile, selector, port, domain, gateway, name };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, cancel) =>
        {
            var secret = parse.GetValue(token) ?? (parse.GetValue(tokenFile) is { } f ? (await File.ReadAllTextAsync(f, cancel)).Trim() : null)
                ?? throw new CliException("--token or --token-file is required: the ingress instances authenticate with it");
            var serverUri = Uri.TryCreate(parse.GetValue(server), UriKind.Absolute, out var u) ? u : throw new CliException($"--server: '{parse.GetValue(server)}' is not a URL");
            var request = Request(parse.GetValue(name)!, parse.GetValue(image)!, serverUri, secret,
                WorkloadFlags.NodeSelector(parse.GetValue(selector) ?? []), parse.GetValue(port), parse.GetValue(domain)!, parse.GetValue(gateway));
            await EnsureNamespaceAsync(client, cancel);
            var deployment = await client.ApplyDeploymentAsync(request, cancel);
            Console.Out.WriteLine($"{Namespace}/{deployment.Name}: system deployment, revision {deployment.Revision}; follow it with chas deployments -n {Namespace}");
            return 0;
        }, ct));
        return cmd;
    }

    /// <summary>
    /// The deployment: `chas ingress` with the token in its environment (not on its command line, which `ps` shows),
    /// the listening port published on the node's fixed host port, and the readiness check a TCP port gets by default.
    /// </summary>
    public static ApplyDeploymentRequest Request(string name, string image, Uri server, string token,
        IReadOnlyDictionary<string, string> selector, int hostPort, string domain, bool gateway) => new()
    {
        Name = name,
        Namespace = Namespace,
        Mode = DeploymentMode.System,
        Image = image,
        Command =
        [
            "chas", "ingress", "--server", server.ToString().TrimEnd('/'), "--listen", "0.0.0.0",
            "--port", ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--domain", domain,
            .. gateway ? ["--gateway"] : Array.Empty<string>(),
        ],
        Env = new Dictionary<string, string> { ["CHAS_TOKEN"] = token },
        Ports = [new PortMapping { ContainerPort = ContainerPort, HostPort = hostPort }],
        NodeSelector = selector,
    };

    private static async Task EnsureNamespaceAsync(ChasClient client, CancellationToken ct)
    {
        try
        {
            await client.GetNamespaceAsync(Namespace, ct);
        }
        catch (ChasApiException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            await client.ApplyNamespaceAsync(Namespace, new ApplyNamespaceRequest(), ct);
        }
    }
}
