using System.IO.Compression;
using System.Xml.Linq;

namespace Needle.Packaging.Tests;

/// <summary>What each packed .nupkg carries: one prerelease version, the README, the icon, the docs, symbols, the repository.</summary>
[TestClass]
public sealed class PackageContentsTests
{
    [TestMethod]
    public void Packages_EachCarryReadmeIconDocsAndRepository()
    {
        var folder = Environment.GetEnvironmentVariable("NEEDLE_PACKAGES");
        if (string.IsNullOrEmpty(folder))
        {
            Assert.Inconclusive("NEEDLE_PACKAGES is not set: .ci/run packs into a folder and names it; FreshAppTests packs on its own.");
        }

        foreach (var package in new[] { "Needle.Core", "Needle.Observability", "Needle.Rollback", "Needle.Console", "Needle.Client" })
        {
            var nupkg = Directory.GetFiles(folder, package + ".*.nupkg").Single();
            Assert.IsTrue(File.Exists(Path.ChangeExtension(nupkg, ".snupkg")), $"{package}: no symbol package beside {nupkg}");
            using var zip = ZipFile.OpenRead(nupkg);
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("README.md", entries, $"{package}: no README.md");
            Assert.Contains("needle-icon.png", entries, $"{package}: no icon");
            Assert.Contains($"lib/net10.0/{package}.dll", entries);
            Assert.Contains($"lib/net10.0/{package}.xml", entries, $"{package}: no XML docs");

            using var nuspec = zip.GetEntry(package + ".nuspec")!.Open();
            var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
            StringAssert.Contains(Value("version"), "-", $"{package}: a stable version before 1.0 (prereleases until then)");
            Assert.AreEqual("needle-icon.png", Value("icon"));
            Assert.AreEqual("README.md", Value("readme"));
            Assert.IsNotNull(metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository")?.Attribute("commit"), $"{package}: no repository commit (SourceLink)");
        }
    }

    [TestMethod]
    public void CliPackage_IsADotnetToolNamedNeedle()
    {
        var folder = Environment.GetEnvironmentVariable("NEEDLE_PACKAGES");
        if (string.IsNullOrEmpty(folder))
        {
            Assert.Inconclusive("NEEDLE_PACKAGES is not set: .ci/run packs into a folder and names it.");
        }

        using var zip = ZipFile.OpenRead(Directory.GetFiles(folder, "Needle.Cli.*.nupkg").Single());
        var settings = zip.Entries.Single(e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
        using var stream = settings.Open();
        var command = XDocument.Load(stream).Descendants().Single(e => e.Name.LocalName == "Command");
        Assert.AreEqual("needle", command.Attribute("Name")?.Value);
    }
}
