"""`rps create-user`."""
from sqlalchemy import select
from werkzeug.security import check_password_hash

from rps_app.auth.models import User
from rps_app.extensions import db


def stored(app, username):
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == username))


def test_create_user_from_stdin(app, runner):
    result = runner.invoke(args=["rps", "create-user", "siti", "--role", "kepala",
                                 "--full-name", "Siti Aminah", "--nip", "1980",
                                 "--password-stdin"], input="rahasia-kepala-1\n")
    assert result.exit_code == 0, result.output
    user = stored(app, "siti")
    assert (user.role, user.full_name, user.nip, user.active) == ("kepala", "Siti Aminah", "1980", True)
    assert check_password_hash(user.password_hash, "rahasia-kepala-1")
    assert "rahasia-kepala-1" not in result.output


def test_create_user_with_prompt_asks_twice(app, runner):
    result = runner.invoke(args=["rps", "create-user", "budi", "--role", "staf"],
                           input="rahasia-staf-12\nrahasia-staf-12\n")
    assert result.exit_code == 0, result.output
    assert "rahasia-staf-12" not in result.output  # hidden input is not echoed
    assert check_password_hash(stored(app, "budi").password_hash, "rahasia-staf-12")


def test_create_user_failures_exit_1_with_a_message(app, runner):
    args = ["rps", "create-user", "budi", "--role", "staf", "--password-stdin"]
    result = runner.invoke(args=args, input="pendek\n")
    assert result.exit_code == 1 and "Minimal 10 karakter" in result.output
    assert stored(app, "budi") is None
    assert runner.invoke(args=args, input="rahasia-staf-12\n").exit_code == 0
    result = runner.invoke(args=args, input="rahasia-staf-34\n")
    assert result.exit_code == 1 and "sudah dipakai" in result.output
    result = runner.invoke(args=["rps", "create-user", "x", "--role", "raja", "--password-stdin"],
                           input="rahasia-staf-12\n")
    assert result.exit_code == 2 and "raja" in result.output
    result = runner.invoke(args=args[:-1] + ["--password-stdin"], input="")
    assert result.exit_code == 1 and "stdin" in result.output
