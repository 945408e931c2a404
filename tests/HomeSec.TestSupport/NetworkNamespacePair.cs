using System.Diagnostics;

namespace HomeSec.TestSupport;

/// <summary>
/// Two network namespaces joined by a veth pair (10.x.y.1 and 10.x.y.2 on a /30), so that traffic between processes
/// started in them crosses a real interface instead of loopback. Needs root and <c>ip netns</c>; <see cref="TryCreate"/>
/// says why not where it cannot be made, so a spec can skip cleanly. Deleting the namespaces deletes the pair.
/// </summary>
public sealed class NetworkNamespacePair : IDisposable
{
    private NetworkNamespacePair(string first, string second, string firstAddress, string secondAddress)
    {
        First = first;
        Second = second;
        FirstAddress = firstAddress;
        SecondAddress = secondAddress;
    }

    public string First { get; }

    public string Second { get; }

    public string FirstAddress { get; }

    public string SecondAddress { get; }

    /// <summary>The pair, or null and the reason (not root, no <c>ip</c>, a kernel without namespaces).</summary>
    public static (NetworkNamespacePair? Pair, string? WhyNot) TryCreate()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return (null, "network namespaces need root on Linux");
        }

        // Short unique names: interface names may have 15 characters at most.
        var tag = Guid.NewGuid().ToString("N")[..6];
        var subnet = Random.Shared.Next(1, 250);
        var (first, second) = ($"hsa{tag}", $"hsb{tag}");
        var (firstAddress, secondAddress) = ($"10.213.{subnet}.1", $"10.213.{subnet}.2");
        string[][] steps =
        [
            ["netns", "add", first],
            ["netns", "add", second],
            ["link", "add", $"va{tag}", "type", "veth", "peer", "name", $"vb{tag}"],
            ["link", "set", $"va{tag}", "netns", first],
            ["link", "set", $"vb{tag}", "netns", second],
            ["-n", first, "addr", "add", $"{firstAddress}/30", "dev", $"va{tag}"],
            ["-n", second, "addr", "add", $"{secondAddress}/30", "dev", $"vb{tag}"],
            ["-n", first, "link", "set", $"va{tag}", "up"],
            ["-n", second, "link", "set", $"vb{tag}", "up"],
            ["-n", first, "link", "set", "lo", "up"],
            ["-n", second, "link", "set", "lo", "up"],
        ];
        foreach (var step in steps)
        {
            var (exitCode, output) = Ip(step);
            if (exitCode != 0)
            {
                Ip(["netns", "delete", first]);
                Ip(["netns", "delete", second]);
                return (null, $"ip {string.Join(' ', step)} failed ({exitCode}): {output.Trim()}");
            }
        }

        return (new NetworkNamespacePair(first, second, firstAddress, secondAddress), null);
    }

    /// <summary>Runs a program inside one of the namespaces to completion (e.g. curl against a daemon there).</summary>
    public static async Task<(int ExitCode, string Output)> RunInAsync(string networkNamespace, string program, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", networkNamespace, program }.Concat(arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start ip");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    public void Dispose()
    {
        Ip(["netns", "delete", First]);
        Ip(["netns", "delete", Second]);
    }

    private static (int ExitCode, string Output) Ip(string[] arguments)
    {
        try
        {
            var startInfo = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            using var process = Process.Start(startInfo)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
