from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "sandbox.exercises"
    verbose_name = "Exercises"
