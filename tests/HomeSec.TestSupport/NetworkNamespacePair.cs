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
    public static (NetworkNamespacePair? Pair, string? WhyNot) TryCreate() => TryCreate(hostSide: false);

    /// <summary>
    /// One namespace (<see cref="Second"/>) joined to this process's own namespace: <see cref="First"/> is empty and
    /// <see cref="FirstAddress"/> is on this side, so this process (a benchmark) talks to a daemon started in the other.
    /// </summary>
    public static (NetworkNamespacePair? Pair, string? WhyNot) TryCreateToHost() => TryCreate(hostSide: true);

    private static (NetworkNamespacePair? Pair, string? WhyNot) TryCreate(bool hostSide)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return (null, "network namespaces need root on Linux");
        }

        // Short unique names: interface names may have 15 characters at most.
        var tag = Guid.NewGuid().ToString("N")[..6];
        var subnet = Random.Shared.Next(1, 250);
        var (first, second) = (hostSide ? "" : $"hsa{tag}", $"hsb{tag}");
        var (firstAddress, secondAddress) = ($"10.213.{subnet}.1", $"10.213.{subnet}.2");
        string[] In(string ns, params string[] command) => ns.Length == 0 ? command : ["-n", ns, .. command];
        string[][] steps =
        [
            .. hostSide ? Array.Empty<string[]>() : [["netns", "add", first]],
            ["netns", "add", second],
            ["link", "add", $"va{tag}", "type", "veth", "peer", "name", $"vb{tag}"],
            .. hostSide ? Array.Empty<string[]>() : [["link", "set", $"va{tag}", "netns", first]],
            ["link", "set", $"vb{tag}", "netns", second],
            In(first, "addr", "add", $"{firstAddress}/30", "dev", $"va{tag}"),
            In(second, "addr", "add", $"{secondAddress}/30", "dev", $"vb{tag}"),
            In(first, "link", "set", $"va{tag}", "up"),
            In(second, "link", "set", $"vb{tag}", "up"),
            .. hostSide ? Array.Empty<string[]>() : [In(first, "link", "set", "lo", "up")],
            In(second, "link", "set", "lo", "up"),
        ];
        foreach (var step in steps)
        {
            var (exitCode, output) = Ip(step);
            if (exitCode != 0)
            {
                if (!hostSide)
                {
                    Ip(["netns", "delete", first]);
                }

                Ip(["netns", "delete", second]);
                Ip(["link", "delete", $"va{tag}"]);
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
        if (First.Length > 0)
        {
            Ip(["netns", "delete", First]);
        }

        // Deleting a namespace deletes the veth end in it, and with it the pair.
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
