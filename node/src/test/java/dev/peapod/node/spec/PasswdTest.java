package dev.peapod.node.spec;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PasswdTest {

    static final String PASSWD = """
            # comment
            root:x:0:0:root:/root:/bin/ash

            daemon:x:1:1:daemon:/usr/sbin:/sbin/nologin
            broken:x:notanumber:1::/:/bin/sh
            +nisuser::::::
            nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
            short:x:7
            app:x:1000:1000::/home/app
            app:x:2000:2000:duplicate, first wins:/:/bin/sh
            """;

    static final String GROUP = """
            root:x:0:root
            wheel:x:10:root, app
            app:x:1000:
            video:x:44:other,app
            bad:x:-1:app
            """;

    final Passwd db = Passwd.parse(PASSWD, GROUP);

    @Test
    void findsUsersByNameAndUidFirstMatchWinning() {
        assertThat(db.user("root")).contains(new Passwd.User("root", 0, 0, "/root", "/bin/ash"));
        assertThat(db.user(65534)).map(Passwd.User::name).contains("nobody");
        assertThat(db.user("app")).contains(new Passwd.User("app", 1000, 1000, "/home/app", ""));
        assertThat(db.user(2000)).map(Passwd.User::name).contains("app");
    }

    @Test
    void skipsCommentsBlankNisShortAndNonNumericLines() {
        assertThat(db.users()).extracting(Passwd.User::name)
                .containsExactly("root", "daemon", "nobody", "app", "app");
        assertThat(db.user("broken")).isEmpty();
        assertThat(db.user("short")).isEmpty();
    }

    @Test
    void groupsByNameAndMembership() {
        assertThat(db.group("wheel")).hasValue(10);
        assertThat(db.group("nope")).isEmpty();
        assertThat(db.groupsListing("app")).containsExactly(10L, 44L);
        assertThat(db.groupsListing("root")).containsExactly(0L, 10L);
        assertThat(db.groups()).extracting(Passwd.Group::name).doesNotContain("bad");
    }

    @Test
    void emptyDatabaseKnowsNobody() {
        assertThat(UserResolver.NONE.user("root")).isEmpty();
        assertThat(UserResolver.NONE.user(0)).isEmpty();
        assertThat(UserResolver.NONE.group("root")).isEmpty();
        assertThat(UserResolver.NONE.groupsListing("root")).isEmpty();
    }
}
