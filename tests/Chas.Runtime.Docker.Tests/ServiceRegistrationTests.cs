using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Chas.Runtime.Docker.Tests;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public void AddDockerRuntime_registers_the_runtime_as_a_singleton_and_applies_the_options()
    {
        var services = new ServiceCollection();

        services.AddDockerRuntime(options => options.Endpoint = "unix:///run/other.sock");

        var runtime = Assert.Single(services, service => service.ServiceType == typeof(IContainerRuntime));
        Assert.Equal(ServiceLifetime.Singleton, runtime.Lifetime);
        var configured = new DockerRuntimeOptions();
        foreach (var configure in services.Where(service => service.ServiceType == typeof(IConfigureOptions<DockerRuntimeOptions>)))
        {
            ((IConfigureOptions<DockerRuntimeOptions>)configure.ImplementationInstance!).Configure(configured);
        }

        Assert.Equal("unix:///run/other.sock", configured.Endpoint);
    }

    [Fact]
    public void AddDockerRuntime_keeps_a_runtime_registered_before_it()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IContainerRuntime>(_ => throw new NotSupportedException("a fake"));

        services.AddDockerRuntime();

        Assert.Single(services, service => service.ServiceType == typeof(IContainerRuntime));
    }

    [Fact]
    public void The_default_endpoint_is_the_local_socket_unless_DOCKER_HOST_says_otherwise()
    {
        var expected = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } dockerHost
            ? dockerHost
            : "unix:///var/run/docker.sock";

        Assert.Equal(expected, new DockerRuntimeOptions().Endpoint);
    }
}
