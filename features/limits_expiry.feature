@step-2
Feature: Process limits and expiry
  Five processes per client per day; a process left longer than its phase allows fails.

  @RX-21 @positive
  Scenario: Five processes a day are allowed, and more the next day
    Given a bank client
    When the client starts and cancels the reactivation 5 times
    Then every start was accepted
    When 25 hours pass
    And the client starts the reactivation
    Then the start was accepted

  @RX-21 @negative @smoke
  Scenario: A sixth process on the same day is refused
    Given a bank client
    When the client starts and cancels the reactivation 5 times
    And the client starts the reactivation
    Then the request is refused with "TOO_MANY_ONBOARDING_PROCESSES"

  @RX-21 @negative @step-3
  Scenario: A verification left for more than an hour fails
    Given the client has reached the face check
    When 61 minutes pass
    And the client scans their own face
    Then the process is FAILED
