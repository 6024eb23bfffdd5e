using Chas.Contracts;
using Chas.Dashboard.Hosting;
using Chas.Scheduling;
using Chas.Server.Api;
using Chas.Server.Application;
using Chas.Server.Auth;
using Chas.Server.Controllers;
using Chas.Server.Leadership;
using Chas.Server.State;
using Chas.Store;
using Chas.Store.Postgres;
using Chas.Store.Sqlite;
using Chas.Server.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Chas.Server.Hosting;

public static class ServerServiceCollectionExtensions
{
    /// <summary>The control plane: store, typed resources, auth, scheduler and controllers. Defaults use TryAdd so tests swap parts.</summary>
    public static IServiceCollection AddChasServer(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        // From the store, so every server on one database holds the same ones. Blocking is harmless: ChasServerApp
        // resolves them once before it serves, and a store that cannot be read then cannot serve anyway.
        services.TryAddSingleton(sp => ServerSecrets.LoadOrCreateAsync(options.DataDir, sp.GetRequiredService<IObjectStore>(),
            sp.GetService<Microsoft.Extensions.Logging.ILogger<ServerSecrets>>()).GetAwaiter().GetResult());
        if (options.TlsMode != TlsMode.None) services.TryAddSingleton(sp => ServerTls.Load(options, sp.GetRequiredService<TimeProvider>()));
        if (!services.Any(d => d.ServiceType == typeof(IObjectStore)))
            services.AddServerStore(options);
        services.TryAddSingleton<TaskStore>();
        services.TryAddSingleton<NodeStore>();
        services.TryAddSingleton<DeploymentStore>();
        services.TryAddSingleton<NodeLiveness>();
        services.TryAddSingleton<ClusterCache>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterCache>());
        services.TryAddSingleton(_ => Scheduler.CreateDefault());

        // The registered lease store, else the object store itself when it keeps leases; without one (a test's fake
        // object store) the server is always leader.
        services.TryAddSingleton(sp => new LeaderElection(sp.GetService<ILeaseStore>() ?? sp.GetRequiredService<IObjectStore>() as ILeaseStore,
            options, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<LeaderElection>>()));
        // Before the leader-only services: hosted services stop in reverse order, so they stop before the lease is released.
        services.AddHostedService(sp => sp.GetRequiredService<LeaderElection>());
        services.AddServerMetrics();
        services.AddHostedService<TaskSchedulingController>();
        services.AddHostedService<NodeHeartbeatMonitor>();
        services.AddHostedService<DeploymentController>();

        services.AddChasAuthentication();
        services.TryAddSingleton<UserAdministration>();
        services.TryAddSingleton<QuotaGate>();
        services.AddChasApplicationServices();
        services.TryAddSingleton<AuditLog>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        services.TryAddSingleton<TrafficReports>();
        services.TryAddSingleton<EventLog>();
        services.AddHostedService(sp => sp.GetRequiredService<EventLog>());
        services.AddApiRateLimiting(options);

        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        // A query value of the wrong form (?limit=abc) would otherwise get a bare 400; thrown, the handler names the field.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ChasJsonContext.Default);
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });
        services.AddHttpClient(TaskLogs.AgentHttpClient, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddOpenApi("v1");
        services.AddChasDashboard(o => o.ServerCertificate = sp => options.TlsMode == TlsMode.None ? null : sp.GetRequiredService<ServerTls>().Certificate);
        return services;
    }

    /// <summary>The store <see cref="ServerOptions.Store"/> names: PostgreSQL, or the data directory's SQLite file.</summary>
    private static void AddServerStore(this IServiceCollection services, ServerOptions options)
    {
        // One Scheduled event per bind would otherwise halve how far back an agent's watch can resume.
        var separate = new HashSet<string>(StringComparer.Ordinal) { EventLog.KindName, AuditLog.KindName };
        if (options.Store is { } connectionString)
            services.AddPostgresStore(new PostgresStoreOptions { ConnectionString = connectionString, SeparateHistoryKinds = separate });
        else
            services.AddSqliteStore(new SqliteStoreOptions { DatabasePath = options.DatabasePath, SeparateHistoryKinds = separate });
    }
}
