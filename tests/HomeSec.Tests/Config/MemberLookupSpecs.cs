using HomeSec.Core.Cluster;
using Xunit;

namespace HomeSec.Tests.Config;

/// <summary>Which member <c>homesec cluster leave|down ADDRESS</c> means, and the sentences when it means none.</summary>
public sealed class MemberLookupSpecs
{
    private static readonly string[] Members = ["akka.ssl.tcp://homesec@192.168.1.10:4053", "akka.ssl.tcp://homesec@gpu-box:4053"];

    [Theory]
    [InlineData("akka.ssl.tcp://homesec@gpu-box:4053", "akka.ssl.tcp://homesec@gpu-box:4053")]
    [InlineData("  akka.ssl.tcp://homesec@gpu-box:4053 ", "akka.ssl.tcp://homesec@gpu-box:4053")]
    [InlineData("gpu-box:4053", "akka.ssl.tcp://homesec@gpu-box:4053")]
    [InlineData("GPU-BOX:4053", "akka.ssl.tcp://homesec@gpu-box:4053")]
    [InlineData("192.168.1.10:4053", "akka.ssl.tcp://homesec@192.168.1.10:4053")]
    public void Should_find_the_member_when_given_its_whole_address_or_its_host_and_port(string given, string expected)
    {
        // Given, When
        var found = MemberLookup.Resolve(Members, given);

        // Then
        Assert.Equal(new MemberLookup.Found(expected), found);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("gpu\n-box:4053")]
    public void Should_ask_for_an_address_when_none_is_given(string? given)
    {
        // Given, When
        var lookup = MemberLookup.Resolve(Members, given);

        // Then
        var problem = Assert.IsType<MemberLookup.NotAnAddress>(lookup).Problem;
        Assert.Contains("e.g. akka.ssl.tcp://homesec@gpu-box:4053 or gpu-box:4053", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_ask_for_the_port_when_only_a_host_is_given()
    {
        // Given, When
        var lookup = MemberLookup.Resolve(Members, "gpu-box");

        // Then
        Assert.Equal("'gpu-box' has no port: give host:port (e.g. gpu-box:4053) or the whole address that homesec inspect cluster prints",
            Assert.IsType<MemberLookup.NotAnAddress>(lookup).Problem);
    }

    [Theory]
    [InlineData("gpu-box:4054")]
    [InlineData("akka.tcp://homesec@gpu-box:4053")]
    [InlineData("box:4053")]
    public void Should_list_the_members_when_no_member_is_at_the_address(string given)
    {
        // Given, When
        var lookup = MemberLookup.Resolve(Members, given);

        // Then
        Assert.Equal($"no member of the cluster is at '{given}'; the members are: akka.ssl.tcp://homesec@192.168.1.10:4053, akka.ssl.tcp://homesec@gpu-box:4053",
            Assert.IsType<MemberLookup.NotAMember>(lookup).Problem);
    }
}
