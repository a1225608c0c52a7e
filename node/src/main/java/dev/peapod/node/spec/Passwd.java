package dev.peapod.node.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A parsed {@code /etc/passwd} plus {@code /etc/group} (passwd(5), group(5)). Parsing is pure and
 * lenient like runc's libcontainer/user: blank lines, {@code #} comments, NIS {@code +}/{@code -}
 * lines and lines whose ids are not numbers are skipped; the first matching entry wins.
 */
public final class Passwd implements UserResolver {

    /** One passwd line: {@code name:password:uid:gid:gecos:home:shell}. */
    public record User(String name, long uid, long gid, String home, String shell) {}

    /** One group line: {@code name:password:gid:member,member}. */
    public record Group(String name, long gid, List<String> members) {
        public Group { members = List.copyOf(members); }
    }

    private final List<User> users;
    private final List<Group> groups;

    private Passwd(List<User> users, List<Group> groups) {
        this.users = List.copyOf(users);
        this.groups = List.copyOf(groups);
    }

    /** Parses the two files' contents; pass "" for a file the image lacks. */
    public static Passwd parse(String passwd, String group) {
        var users = new ArrayList<User>();
        for (String[] f : records(passwd)) {
            if (f.length < 4) continue;
            OptionalLong uid = id(f[2]);
            OptionalLong gid = id(f[3]);
            if (uid.isEmpty() || gid.isEmpty()) continue;
            users.add(new User(f[0], uid.getAsLong(), gid.getAsLong(), field(f, 5), field(f, 6)));
        }
        var groups = new ArrayList<Group>();
        for (String[] f : records(group)) {
            if (f.length < 3) continue;
            OptionalLong gid = id(f[2]);
            if (gid.isEmpty()) continue;
            String list = field(f, 3);
            List<String> members = list.isBlank() ? List.of()
                    : Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
            groups.add(new Group(f[0], gid.getAsLong(), members));
        }
        return new Passwd(users, groups);
    }

    public List<User> users() { return users; }

    public List<Group> groups() { return groups; }

    @Override
    public Optional<User> user(String name) {
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }

    @Override
    public Optional<User> user(long uid) {
        return users.stream().filter(u -> u.uid() == uid).findFirst();
    }

    @Override
    public OptionalLong group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).mapToLong(Group::gid).findFirst();
    }

    @Override
    public List<Long> groupsListing(String userName) {
        return groups.stream().filter(g -> g.members().contains(userName)).map(Group::gid).toList();
    }

    private static List<String[]> records(String content) {
        var out = new ArrayList<String[]>();
        if (content == null) return out;
        for (String line : content.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("+") || l.startsWith("-")) continue;
            out.add(l.split(":", -1));
        }
        return out;
    }

    private static String field(String[] f, int i) { return i < f.length ? f[i] : ""; }

    private static OptionalLong id(String s) {
        try {
            long v = Long.parseLong(s.strip());
            return v >= 0 && v <= 0xFFFF_FFFFL ? OptionalLong.of(v) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
