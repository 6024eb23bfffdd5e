using System.CommandLine;
using Chas.Cli;

namespace Chas.Commands;

/// <summary>`chas services`: what the ingress routes, and where each service's ready copies are.</summary>
internal static class ServicesCommand
{
    public static Command Create()
    {
        var output = OutputFormat.CreateOption();
        var ns = NamespaceOption.Create();
        var allNamespaces = NamespaceOption.CreateAll();
        var cmd = new Command("services", "List exposed deployments with their hosts and ready endpoints") { output, ns, allNamespaces };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, allNamespaces, async (client, token) =>
        {
            var services = await client.ListServicesAsync(token);
            if (OutputFormat.IsStructured(parse.GetValue(output)))
            {
                OutputFormat.Write(parse.GetValue(output), services);
                return 0;
            }
            TableWriter.Write(Console.Out, ["NAME", "NAMESPACE", "HOSTS", "PATHS", "LB", "ENDPOINTS"], services.Select(s => (IReadOnlyList<string>)
            [
                s.Name, s.Namespace, string.Join(",", s.Hosts), string.Join(",", s.Paths), s.LoadBalancing,
                s.Endpoints.Count == 0 ? "-" : string.Join(",", s.Endpoints.Select(e => $"{e.Address}:{e.Port}")),
            ]));
            // A host asked for but routed elsewhere must not fail silently (curl would only show someone else's answer).
            foreach (var s in services)
                foreach (var refused in s.RefusedHosts)
                    Console.Error.WriteLine($"warning: {s.Namespace}/{s.Name}: host {refused}; not routed here");
            return 0;
        }, ct));
        return cmd;
    }
}
