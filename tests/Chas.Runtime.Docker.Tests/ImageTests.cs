using System.Formats.Tar;
using Chas.Runtime.Docker.Images;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Chas.Runtime.Docker.Tests;

public sealed class ImageTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>
{
    private readonly DockerContainerRuntime _runtime = engine.Runtime;

    [Fact]
    public async Task Ensuring_a_present_image_does_nothing()
    {
        await _runtime.EnsureImageAsync(DockerEngineFixture.BusyboxImage, CancellationToken.None);
    }

    [Fact]
    public async Task Ensuring_an_unpullable_image_explains_why()
    {
        var error = await Assert.ThrowsAsync<RuntimeException>(
            () => _runtime.EnsureImageAsync("chas-test/does-not-exist", CancellationToken.None));

        Assert.StartsWith(
            "image 'chas-test/does-not-exist:latest' is not present on this node and could not be pulled: ", error.Message);
        Assert.DoesNotContain("Docker API responded", error.Message); // the engine's sentence, not the client's wrapper
    }

    [Fact]
    public async Task An_imported_image_is_inspectable_with_sh_as_its_command()
    {
        var reference = $"chas-test/import-{Guid.NewGuid():N}:v1";
        try
        {
            await ImportAsync(reference);

            var image = await engine.Client.Images.InspectImageAsync(reference);
            Assert.Equal(["sh"], image.Config.Cmd);
            Assert.Equal(RootfsImage.ImportComment, image.Comment);
        }
        finally
        {
            await engine.Client.Images.DeleteImageAsync(reference, new ImageDeleteParameters { Force = true });
        }
    }

    [Fact]
    public async Task A_reimport_removes_the_image_it_replaced_unless_a_container_uses_it()
    {
        var reference = $"chas-test/import-{Guid.NewGuid():N}:v1";
        await using var containers = new TestContainers(_runtime);
        var ids = new List<string>();
        try
        {
            for (var import = 0; import < 3; import++)
            {
                await ImportAsync(reference);
                ids.Add((await engine.Client.Images.InspectImageAsync(reference)).ID);
                if (import == 0)
                {
                    await _runtime.CreateAsync(containers.Spec("pin", "true") with { Image = reference }, CancellationToken.None);
                }
            }

            Assert.True(await ExistsAsync(ids[0])); // a container was created from it
            Assert.False(await ExistsAsync(ids[1])); // replaced and unused
            Assert.True(await ExistsAsync(ids[2])); // current
        }
        finally
        {
            await containers.DisposeAsync();
            foreach (var id in ids)
            {
                await TryDeleteImageAsync(id);
            }
        }
    }

    [Fact]
    public void The_busybox_rootfs_has_busybox_its_applets_and_the_base_files()
    {
        using var tar = new MemoryStream();
        RootfsImage.WriteBusyboxRootfsTar(tar);
        tar.Position = 0;

        var entries = new Dictionary<string, TarEntry>();
        var reader = new TarReader(tar);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            entries[entry.Name] = entry;
        }

        var busybox = entries["bin/busybox"];
        Assert.Equal(TarEntryType.RegularFile, busybox.EntryType);
        Assert.Equal((UnixFileMode)0b111_101_101, busybox.Mode);
        Assert.Equal(new FileInfo("/bin/busybox").Length, busybox.Length);
        Assert.All(RootfsImage.BusyboxApplets, applet =>
        {
            var link = entries[$"bin/{applet}"];
            Assert.Equal(TarEntryType.SymbolicLink, link.EntryType);
            Assert.Equal("busybox", link.LinkName);
        });
        Assert.Equal((UnixFileMode)0b1_111_111_111, entries["tmp/"].Mode);
        Assert.All(["etc/", "proc/", "sys/", "dev/", "var/www/"], name => Assert.Equal(TarEntryType.Directory, entries[name].EntryType));
        Assert.Contains("root:x:0:0:", ReadText(entries["etc/passwd"]));
        Assert.Contains("nobody:x:65534:", ReadText(entries["etc/group"]));
    }

    [Fact]
    public void A_missing_busybox_is_reported_with_the_package_to_install()
    {
        var error = Assert.Throws<FileNotFoundException>(
            () => RootfsImage.WriteBusyboxRootfsTar(Stream.Null, "/nonexistent/busybox"));

        Assert.Contains("busybox-static", error.Message);
    }

    private async Task ImportAsync(string reference)
    {
        using var tar = new MemoryStream();
        RootfsImage.WriteBusyboxRootfsTar(tar);
        tar.Position = 0;
        await _runtime.ImportRootfsAsync(tar, reference, CancellationToken.None);
    }

    private async Task<bool> ExistsAsync(string imageId)
    {
        try
        {
            await engine.Client.Images.InspectImageAsync(imageId);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    private async Task TryDeleteImageAsync(string imageId)
    {
        try
        {
            await engine.Client.Images.DeleteImageAsync(imageId, new ImageDeleteParameters { Force = true });
        }
        catch (DockerImageNotFoundException)
        {
            // Removed by a re-import already.
        }
    }

    private static string ReadText(TarEntry entry)
    {
        using var reader = new StreamReader(entry.DataStream!);
        return reader.ReadToEnd();
    }
}
