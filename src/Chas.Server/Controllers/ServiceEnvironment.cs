using Chas.Contracts;

namespace Chas.Server.Controllers;

/// <summary>
/// Service discovery through the environment, as Docker links and Kubernetes do: at its bind, a
/// container gets `CHAS_SERVICE_&lt;NAME&gt;_URL` (one ready endpoint) and `…_ENDPOINTS` (all of them)
/// for every exposed service of its namespace. Variables the user set win.
/// </summary>
public static class ServiceEnvironment
{
    public static IReadOnlyDictionary<string, string> With(TaskResource task, IReadOnlyList<ServiceInfo> services)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in services.Where(s => s.Namespace == task.Namespace && s.Endpoints.Count > 0))
        {
            var name = ServiceCatalog.EnvName(service.Name);
            env[name] = service.Endpoints[0].Url;
            env[name[..^"_URL".Length] + "_ENDPOINTS"] = string.Join(",", service.Endpoints.Select(e => e.Url));
        }
        if (env.Count == 0) return task.Env;
        foreach (var (key, value) in task.Env) env[key] = value;
        return env;
    }
}
