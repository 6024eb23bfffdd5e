using Microsoft.Extensions.Options;

namespace Chas.Runtime.Docker.Tests;

public sealed class EngineUnreachableTests
{
    [Fact]
    public async Task A_wrong_socket_is_a_runtime_error_naming_the_endpoint()
    {
        using var runtime = new DockerContainerRuntime(
            Options.Create(new DockerRuntimeOptions { Endpoint = "unix:///nonexistent/docker.sock" }));

        var error = await Assert.ThrowsAsync<RuntimeException>(() => runtime.GetInfoAsync(CancellationToken.None));

        Assert.Contains("unix:///nonexistent/docker.sock", error.Message);
    }
}
