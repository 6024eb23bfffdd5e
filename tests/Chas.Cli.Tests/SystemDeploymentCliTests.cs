using Chas.Cli;
using Chas.Commands;
using Chas.Contracts;

namespace Chas.Cli.Tests;

public sealed class SystemDeploymentCliTests
{
    private static IReadOnlyList<Manifest> Read(string yaml) => ManifestReader.Read(new StringReader(yaml), "edge.yaml");

    [Fact]
    public void A_manifest_with_mode_system_becomes_a_system_deployment()
    {
        var d = Assert.IsType<DeploymentManifest>(Assert.Single(Read("""
            kind: Deployment
            name: node-exporter
            mode: system
            image: busybox
            nodeSelector: {role: edge}
            """)));
        Assert.Equal(DeploymentMode.System, d.Request.Mode);
        Assert.Null(d.Request.Replicas);
        Assert.Equal("edge", d.Request.NodeSelector!["role"]);
    }

    [Fact]
    public void A_misspelt_mode_is_refused_naming_mode()
    {
        var message = Assert.Throws<CliException>(() => Read("kind: Deployment\nname: x\nimage: busybox\nmode: sytem\n")).Message;
        Assert.Contains("mode", message, StringComparison.Ordinal);
        Assert.Contains("sytem", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replicas_in_a_system_manifest_are_refused_before_anything_is_sent()
    {
        var message = Assert.Throws<CliException>(() => Read("kind: Deployment\nname: x\nimage: busybox\nmode: system\nreplicas: 3\n")).Message;
        Assert.Contains("replicas", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_self_hosted_ingress_is_a_system_deployment_running_chas_ingress_with_its_token_in_the_environment()
    {
        var request = IngressDeployCommand.Request("ingress", "registry.example/chas:2", new Uri("http://10.0.0.1:8080/"), "secret",
            new Dictionary<string, string> { ["role"] = "edge" }, 28000, "apps.example.com", gateway: true);
        Assert.True(Validate.Deployment(request).IsEmpty);
        Assert.Equal((DeploymentMode.System, "system"), (request.Mode, request.Namespace));
        Assert.Equal(["chas", "ingress", "--server", "http://10.0.0.1:8080", "--listen", "0.0.0.0", "--port", "8000", "--domain", "apps.example.com", "--gateway"],
            request.Command);
        Assert.DoesNotContain("secret", request.Command!);
        Assert.Equal("secret", request.Env!["CHAS_TOKEN"]);
        var port = Assert.Single(request.Ports!);
        Assert.Equal((8000, 28000), (port.ContainerPort, port.HostPort));
        Assert.Equal("edge", request.NodeSelector!["role"]);
    }
}
