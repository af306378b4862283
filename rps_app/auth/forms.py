"""Flask-WTF forms of auth. Rules (password length, unique username) live in services;
the forms only check that fields are present and not absurdly long."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from .permissions import ROLE_LABELS, ROLES

REQUIRED = _l("Wajib diisi.")


def _role_choices():
    # SelectChoice, not tuples: tuples are deprecated in WTForms 3.3 (tests turn warnings
    # into errors).
    return [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]


class LoginForm(FlaskForm):
    username = StringField(_l("Nama pengguna"), validators=[DataRequired(REQUIRED), Length(max=80)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(REQUIRED), Length(max=200)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Kata sandi saat ini"), validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(_l("Kata sandi baru"), validators=[DataRequired(REQUIRED)])
    confirm_password = PasswordField(_l("Ulangi kata sandi baru"), validators=[DataRequired(REQUIRED)])


class LanguageForm(FlaskForm):
    language = SelectField(_l("Bahasa tampilan"),
                           choices=[SelectChoice("id", "Bahasa Indonesia"),
                                    SelectChoice("en", "English")])


class UserEditForm(FlaskForm):
    full_name = StringField(_l("Nama lengkap"), validators=[DataRequired(REQUIRED), Length(max=120)])
    nip = StringField(_l("NIP"), validators=[Optional(), Length(max=30)])
    role = SelectField(_l("Peran"), choices=_role_choices)


class UserCreateForm(UserEditForm):
    username = StringField(_l("Nama pengguna"), validators=[DataRequired(REQUIRED), Length(max=80)])
    password = PasswordField(_l("Kata sandi awal"), validators=[DataRequired(REQUIRED)])
    confirm_password = PasswordField(_l("Ulangi kata sandi awal"), validators=[
        DataRequired(REQUIRED), EqualTo("password", _l("Harus sama dengan kata sandi awal."))])


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("Kata sandi sementara"), validators=[DataRequired(REQUIRED)])
    confirm_password = PasswordField(_l("Ulangi kata sandi sementara"),
                                     validators=[DataRequired(REQUIRED)])


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token: for buttons that change state (logout, deactivate)."""
