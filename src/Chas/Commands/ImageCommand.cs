using System.CommandLine;
using Chas.Cli;
using Chas.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Commands;

/// <summary>
/// `chas image import`: put an image into this machine's Docker engine from a root filesystem
/// tarball — the offline way to get images where no registry is reachable (like `docker import`).
/// </summary>
internal static class ImageCommand
{
    public static Command Create()
    {
        var file = new Argument<string?>("file") { Description = "Root filesystem tarball ('-' for stdin)", Arity = ArgumentArity.ZeroOrOne };
        var tag = new Option<string>("--tag", "-t") { Description = "Image reference to create", Required = true };
        var busybox = new Option<bool>("--busybox") { Description = "Build the rootfs from this machine's static busybox (/bin/busybox) instead of a file" };
        var import = new Command("import", "Import a root filesystem tarball into the local Docker engine as an image") { file, tag, busybox };
        import.SetAction((parse, ct) => CliRunner.RunAsync(async token =>
        {
            await using var services = new ServiceCollection().AddLogging().AddDockerRuntime().BuildServiceProvider();
            var importer = services.GetRequiredService<IImageImporter>();
            Stream tar;
            if (parse.GetValue(busybox))
            {
                if (!File.Exists("/bin/busybox")) throw new CliException("/bin/busybox not found: install Debian's busybox-static");
                tar = new MemoryStream();
                importer.WriteBusyboxRootfs(tar);
                tar.Position = 0;
            }
            else
            {
                var path = parse.GetValue(file) ?? throw new CliException("give a rootfs tarball, or --busybox");
                tar = path == "-" ? Console.OpenStandardInput()
                    : File.Exists(path) ? File.OpenRead(path) : throw new CliException($"no such file '{path}'");
            }
            await using (tar)
            {
                try
                {
                    await LiveProgress.RunAsync($"importing {parse.GetValue(tag)} into the Docker engine", _ => importer.ImportRootfsAsync(tar, parse.GetValue(tag)!, token));
                }
                catch (RuntimeException ex)
                {
                    // The engine's own words ("invalid reference format", "cannot reach the engine at ..."): this
                    // command talks to the local engine, not to the CHaS server.
                    throw new CliException(ex.Message);
                }
            }
            Console.Out.WriteLine(parse.GetValue(tag));
            return 0;
        }, ct));
        return new Command("image", "Manage images on this machine's engine") { import };
    }
}
